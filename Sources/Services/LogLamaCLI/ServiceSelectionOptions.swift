import ArgumentParser
import Orchestration
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `--services a,b`: the services an orchestration command acts on (default: all), shared by `start-all`
/// and `stop-all`.
struct ServiceSelectionOptions: ParsableArguments {
    @Option(help: "Comma-separated services (default: all): loglama, bexy, pyllm, shellama, pylama, apilama, weblama.")
    var services: String?

    /// The selected services in start order; an unknown name exits 2 with one line naming it.
    func resolved() throws -> [ServiceDescriptor] {
        do {
            return try ServiceSelection.resolve(commaSeparated: services)
        } catch {
            throw error.exit()
        }
    }
}

extension OrchestrationError {
    /// Print this error as one line on stderr and return the exit code to throw: 2 for an unknown service
    /// (bad input), 1 for the rest.
    func exit() -> ExitCode {
        let line = Array("loglama: \(description)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return code == .unknownService ? ExitCode(2) : ExitCode(1)
    }
}

extension Orchestrator {
    /// `load()` for a command: a configuration error exits 1 with one line.
    static func forCommand() throws -> Orchestrator {
        do {
            return try Orchestrator.load()
        } catch {
            throw error.exit()
        }
    }
}
