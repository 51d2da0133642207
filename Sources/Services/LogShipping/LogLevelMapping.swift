import Logging

extension Logger.Level {
    /// The LogLama level name for this swift-log level: trace and debug are `DEBUG`, info and notice are `INFO`,
    /// then `WARNING`, `ERROR` and `CRITICAL`.
    public var logLamaName: String {
        switch self {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }
}
