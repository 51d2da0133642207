#if canImport(Glibc)
import Glibc
#endif

/// What the run directory and the process table say about one service right now.
public enum ServiceState: Sendable, Equatable {
    /// Its pid file names a live process running its executable.
    case running(PidRecord)
    /// It has a pid file, but the process is gone or runs something else (the pid was reused); `pid` is nil
    /// when the file is unreadable.
    case stale(pid: pid_t?)
    /// No pid file, and its executable exists.
    case stopped
    /// No pid file, and no executable: none yet in the launch table, or the file is not found.
    case notBuilt

    /// `running`, `stale`, `stopped` or `not built`.
    public var name: String {
        switch self {
        case .running: "running"
        case .stale: "stale"
        case .stopped: "stopped"
        case .notBuilt: "not built"
        }
    }
}
