#if canImport(Glibc)
import Glibc
#endif

/// The kernel's view of a process, from `kill(pid, 0)` and `/proc/<pid>/{stat,cmdline}`.
public enum ProcessTable {
    /// Whether `pid` exists and has not exited. A zombie has exited (only its parent's wait is missing), so it
    /// is not alive; EPERM from kill means it exists.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        guard let state = state(of: pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// The argument vector of `pid` (`/proc/<pid>/cmdline`); nil if it is gone or has none (a kernel thread).
    public static func arguments(of pid: pid_t) -> [String]? {
        guard let bytes = FileBytes.read("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return nil }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `pid` runs `executable`, compared loosely: the base name of its argv[0] starts with the
    /// executable's name (`bexy serve` execs the sibling `bexy-server`).
    public static func runs(_ pid: pid_t, executable: String) -> Bool {
        guard let first = arguments(of: pid)?.first else { return false }
        let name = first.split(separator: "/").last.map(String.init) ?? first
        return name.hasPrefix(executable)
    }

    /// The one-letter state of `/proc/<pid>/stat` (R, S, D, Z, ...): the first field after the `)` that closes
    /// the command name (which may itself contain spaces and parentheses).
    static func state(of pid: pid_t) -> Character? {
        guard let bytes = FileBytes.read("/proc/\(pid)/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else { return nil }
        return Character(Unicode.Scalar(bytes[close + 2]))
    }
}
