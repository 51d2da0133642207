import ArgumentParser
import Orchestration
import ServiceKit

/// `loglama restart [SERVICE]`: stop then start one service, or all of them.
struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Stop, then start one service (or all of them); exits 1 if one fails.")

    @Argument(help: "The service to restart (default: all).")
    var service: String?

    @Option(help: "Seconds to wait for each service's /health.")
    var timeout: Double = 15

    @Option(help: "Seconds a service gets to exit after SIGTERM before SIGKILL.")
    var grace: Double = 10

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be 0-3600 seconds") }
        guard grace >= 0, grace <= 3600 else { throw ValidationError("--grace must be 0-3600 seconds") }
    }

    func run() async throws {
        let services: [ServiceDescriptor]
        do {
            services = try ServiceSelection.resolve(service.map { [$0] })
        } catch {
            throw error.exit()
        }
        let orchestrator = try Orchestrator.forCommand()
        let stopped = await orchestrator.stop(services, grace: .seconds(grace))
        stopped.forEach { print($0) }
        let started = await orchestrator.start(services, healthTimeout: .seconds(timeout))
        started.forEach { print($0) }
        if stopped.contains(where: \.isFailure) || started.contains(where: \.isFailure) { throw ExitCode(1) }
    }
}
