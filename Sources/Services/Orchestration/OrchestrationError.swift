#if canImport(Glibc)
import Glibc
#endif

/// Orchestration failed: the step, the service if one is at fault, what went wrong and how to fix it.
public struct OrchestrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failing step, stable for callers and tests.
    public enum Code: String, Sendable {
        /// A service name that is not in the port table.
        case unknownService = "unknown_service"
        /// The central configuration could not be loaded.
        case configuration
        /// The run directory (`PYLAMA_RUN_DIR`) could not be created.
        case runDirectory = "run_directory"
        /// A pid file could not be written.
        case pidFile = "pid_file"
        /// posix_spawn failed (the executable, its log file, ...).
        case spawn
    }

    public var code: Code
    /// The service at fault, if one is.
    public var service: String?
    public var message: String
    /// How to fix it.
    public var hint: String?

    public init(_ code: Code, service: String? = nil, message: String, hint: String? = nil) {
        self.code = code
        self.service = service
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (service.map { "\($0): " } ?? "") + message + (hint.map { " (\($0))" } ?? "")
    }

    /// `strerror(code)`: the text of an errno value.
    static func text(ofErrno code: Int32) -> String { String(cString: strerror(code)) }
}
