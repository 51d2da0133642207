#if canImport(Glibc)
import Glibc
#endif

/// Ends a service and everything it started: SIGTERM to its process group, up to a grace period for the
/// leader to exit, then SIGKILL; the group's leftover members are killed either way.
public enum ProcessTermination {
    /// How the process ended.
    public enum Outcome: Sendable, Equatable {
        /// It exited within the grace period after SIGTERM.
        case terminated
        /// It needed SIGKILL.
        case killed
        /// It was still there after SIGKILL (uninterruptible sleep), or could not be signalled.
        case survived(String)
    }

    /// Stop `pid`, polling `ProcessTable.isAlive` every 20 ms (a zombie counts as gone).
    public static func terminate(_ pid: pid_t, grace: Duration) async -> Outcome {
        // The services are started in their own session, so the leader's pid is its group's id.
        let group = getpgid(pid) == pid
        let target = group ? -pid : pid
        if kill(target, SIGTERM) != 0 && errno != ESRCH {
            return .survived("SIGTERM: " + OrchestrationError.text(ofErrno: errno))
        }
        if await waitUntilGone(pid, timeout: grace) {
            if group { kill(-pid, SIGKILL) }
            return .terminated
        }
        if kill(target, SIGKILL) != 0 && errno != ESRCH {
            return .survived("SIGKILL: " + OrchestrationError.text(ofErrno: errno))
        }
        return await waitUntilGone(pid, timeout: .seconds(5)) ? .killed : .survived("still alive 5 s after SIGKILL")
    }

    /// Whether `pid` is gone before `timeout`.
    static func waitUntilGone(_ pid: pid_t, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ProcessTable.isAlive(pid) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
