/// The five log levels, with Python's `logging` numbers so the original LogLama clients keep their meaning.
enum LogLevel: Int, CaseIterable, Sendable {
    case debug = 10
    case info = 20
    case warning = 30
    case error = 40
    case critical = 50

    /// The stored name: `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    var name: String {
        switch self {
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// The level named `text`, ignoring case; `WARN` is accepted for `WARNING`.
    init?(name text: String) {
        switch text.uppercased() {
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARNING", "WARN": self = .warning
        case "ERROR": self = .error
        case "CRITICAL": self = .critical
        default: return nil
        }
    }

    /// The accepted names, for error messages.
    static let namesList = "DEBUG, INFO, WARNING (or WARN), ERROR, CRITICAL"
}
