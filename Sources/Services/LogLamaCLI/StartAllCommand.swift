import ArgumentParser
import Orchestration

/// `loglama start-all [--services a,b] [--timeout S]`: start the services detached, in dependency order.
struct StartAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start-all",
        abstract: "Start the services in dependency order, each detached, and wait for its /health.",
        discussion: "A running service is left alone; one that fails is reported with the end of its log and "
            + "the rest are still tried (its dependents are skipped). Exits 1 if any failed or was skipped.")

    @OptionGroup var selection: ServiceSelectionOptions

    @Option(help: "Seconds to wait for each service's /health.")
    var timeout: Double = 15

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be 0-3600 seconds") }
    }

    func run() async throws {
        let services = try selection.resolved()
        let reports = try await Orchestrator.forCommand().start(services, healthTimeout: .seconds(timeout))
        reports.forEach { print($0) }
        if reports.contains(where: \.isFailure) { throw ExitCode(1) }
    }
}
