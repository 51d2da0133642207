import ServiceKit

/// Starts, stops and inspects the ecosystem's services as detached processes, each tracked by a pid file and
/// logging to a file in the run directory. The operations live in `Orchestrator+Start`, `+Stop` and `+Status`.
public struct Orchestrator: Sendable {
    /// The effective configuration: ports, URLs, `PYLAMA_RUN_DIR`.
    public let configuration: PyLamaConfiguration
    public let runDirectory: RunDirectory
    public let locator: ExecutableLocator
    /// The environment every service is started with.
    public let environment: [String: String]

    public init(configuration: PyLamaConfiguration, environment: [String: String], locator: ExecutableLocator) {
        self.configuration = configuration
        self.runDirectory = RunDirectory(configuration: configuration)
        self.locator = locator
        self.environment = environment
    }

    /// Load the configuration from `environment` (the usual precedence) and find executables beside the
    /// running binary, then on its `PATH`.
    public static func load(environment: [String: String] = ProcessEnvironment.current())
        throws(OrchestrationError) -> Orchestrator {
        do {
            let configuration = try PyLamaConfiguration.load(environment: environment)
            return Orchestrator(configuration: configuration, environment: environment,
                                locator: .current(environment: environment))
        } catch {
            throw OrchestrationError(.configuration, message: error.description)
        }
    }

    /// The command and the executable's path that start `service`; nil when it is not built.
    public func launch(of service: String) -> (command: LaunchCommand, path: String)? {
        guard let command = LaunchTable.command(for: service), let path = locator.locate(command.executable)
        else { return nil }
        return (command, path)
    }

    /// Why `service` is not built: no executable yet, or where its executable was looked for.
    public func notBuiltReason(of service: String) -> String {
        guard let command = LaunchTable.command(for: service) else { return "no executable yet" }
        return "`\(command.executable)` not found beside this binary or on PATH"
    }

    /// The state of `service` now.
    public func state(of service: String) -> ServiceState {
        switch runDirectory.pidFile(of: service) {
        case .absent:
            return launch(of: service) == nil ? .notBuilt : .stopped
        case .unreadable:
            return .stale(pid: nil)
        case .record(let record):
            let executable = LaunchTable.command(for: service)?.executable ?? service
            return ProcessTable.isAlive(record.pid) && ProcessTable.runs(record.pid, executable: executable)
                ? .running(record) : .stale(pid: record.pid)
        }
    }

    /// `<SERVICE>_URL`, whose `/health` is checked.
    public func url(of service: String) -> String { configuration.url(of: service) }
}
