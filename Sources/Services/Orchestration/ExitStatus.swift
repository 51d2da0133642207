#if canImport(Glibc)
import Glibc
#endif

/// How a child of this process ended, from waitpid(2).
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decode a wait status (the WIFEXITED / WEXITSTATUS / WTERMSIG macros, which Swift cannot import).
    init(waitStatus status: Int32) {
        self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    /// waitpid(pid, WNOHANG): how the child `pid` ended, nil while it runs. Reaps it.
    static func reapIfExited(_ pid: pid_t) -> ExitStatus? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, WNOHANG) } while result < 0 && errno == EINTR
        return result == pid ? ExitStatus(waitStatus: status) : nil
    }

    /// waitpid(pid, 0): wait for the child `pid` to end and reap it; nil if it is not a child of this process.
    static func reap(_ pid: pid_t) -> ExitStatus? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
        return result == pid ? ExitStatus(waitStatus: status) : nil
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}
