import ArgumentParser
import Foundation
import Orchestration

/// `loglama status [--json]`: every service's state, pid, port, url, live health and uptime.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every service: state, pid, port, url, live health, uptime.")

    @Flag(help: "Print one JSON object: {\"run_dir\", \"services\": [...]}.")
    var json = false

    /// The `--json` document.
    struct Document: Encodable {
        var runDir: String
        var services: [ServiceStatus]

        enum CodingKeys: String, CodingKey {
            case runDir = "run_dir"
            case services
        }
    }

    func run() async throws {
        let orchestrator = try Orchestrator.forCommand()
        let services = await orchestrator.status()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(Document(runDir: orchestrator.runDirectory.path, services: services))
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("# run directory: \(orchestrator.runDirectory.path)")
            print(ServiceStatus.header)
            services.forEach { print($0.line) }
        }
    }
}
