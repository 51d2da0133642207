/// How a job ended. One word, stable across the CLI, the HTTP API and the audit trail.
public enum ExecutionStatus: String, Codable, Sendable, CaseIterable {
    /// Exited with code 0.
    case ok
    /// Exited with a non-zero code (an uncaught exception, `sys.exit(3)`).
    case runtimeError = "runtime_error"
    /// Killed by a signal that no limit explains.
    case signaled
    /// The wall-clock or CPU-time limit fired.
    case timeout
    /// The cgroup memory limit fired (the kernel's OOM killer ran inside the job).
    case memoryLimit = "memory_limit"
    /// stdout or stderr reached its cap; the job was stopped.
    case outputLimit = "output_limit"
    /// The job called a system call its seccomp policy forbids; it was stopped.
    case syscallBlocked = "syscall_blocked"
    /// The sandbox could not be set up; the program never ran.
    case sandboxError = "sandbox_error"
    /// Stopped from outside before it finished: its HTTP client disconnected, or the server shut down.
    case cancelled
    /// Audit records only, never a result: the job was admitted and is about to run or running (the record is
    /// written ahead, before any of its code runs, and replaced by the final one when it ends).
    case started
    /// Audit records only, never a result: the process that ran the job died before recording how it ended
    /// (e.g. `kill -9` of bexy-server); the next open of the spool marks its `started` record so.
    case interrupted

    /// The statuses a result can have: every case but the audit-only `started` and `interrupted`.
    public static var outcomes: [ExecutionStatus] {
        allCases.filter { $0 != .started && $0 != .interrupted }
    }
}
