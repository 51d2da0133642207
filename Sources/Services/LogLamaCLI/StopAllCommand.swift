import ArgumentParser
import Orchestration

/// `loglama stop-all [--services a,b] [--grace S]`: stop the services in reverse dependency order.
struct StopAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop-all",
        abstract: "Stop the services in reverse dependency order (SIGTERM, then SIGKILL after the grace period).")

    @OptionGroup var selection: ServiceSelectionOptions

    @Option(help: "Seconds a service gets to exit after SIGTERM before SIGKILL.")
    var grace: Double = 10

    func validate() throws {
        guard grace >= 0, grace <= 3600 else { throw ValidationError("--grace must be 0-3600 seconds") }
    }

    func run() async throws {
        let services = try selection.resolved()
        let reports = try await Orchestrator.forCommand().stop(services, grace: .seconds(grace))
        reports.forEach { print($0) }
        if reports.contains(where: \.isFailure) { throw ExitCode(1) }
    }
}
