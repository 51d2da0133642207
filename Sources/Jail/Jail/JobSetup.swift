#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// From a spawned job to its started program, on either path: the error pipe reaches EOF when the program
/// exec'd (warm: when the sandbox sealed itself), or carries the stage that failed. Its failures become one
/// `JailError` mapping here.
package enum JobSetup {
    /// How long a child may take from clone3 to execve (warm: to ready, or from handover to start).
    package static let timeoutMs: Int32 = 10_000

    package enum State {
        case started
        case failed(bj_child_error)
        case timedOut
    }

    /// Wait for the error pipe: EOF means the program started, data is the child's setup error.
    package static func awaitStart(_ errorFD: Int32) -> State {
        guard let revents = Syscall.poll(errorFD, timeoutMs: timeoutMs), revents != 0 else { return .timedOut }
        var failure = bj_child_error()
        let n = withUnsafeMutableBytes(of: &failure) { Syscall.read(errorFD, into: $0) }
        return n == MemoryLayout<bj_child_error>.size ? .failed(failure) : .started
    }

    /// The error for a setup that did not reach the program; `plan` names a failed mount step (cold path).
    package static func error(_ state: State, plan: SandboxPlan?) -> JailError {
        guard case .failed(let failure) = state else {
            return JailError(.setupFailed, stage: "sandbox setup", message: "sandbox setup did not finish within "
                             + "\(timeoutMs / 1000) s", hint: "check `bexy doctor` and the kernel log")
        }
        var stage = String(cString: bj_stage_name(failure.stage))
        if failure.stage == Int32(BJ_STAGE_MOUNT.rawValue), let summary = plan?.mountSummary(failure.index) {
            stage += ": " + summary
        }
        var hint: String?
        if failure.stage == Int32(BJ_STAGE_EXEC.rawValue) {
            hint = "check that the profile's interpreter exists under /usr on this host"
        } else if failure.stage == Int32(BJ_STAGE_SECCOMP.rawValue) {
            hint = "the kernel needs CONFIG_SECCOMP_FILTER"
        }
        return .system(stage, errno: failure.err, hint: hint)
    }

    /// The error for a spawn refused at `step` (bj_spawn's parent side, here or in bexy-zygote).
    package static func spawnError(step: String, errno: Int32) -> JailError {
        let hint = step == "clone3" ? "enable user namespaces: sysctl user.max_user_namespaces=15000" : nil
        return .system(step, errno: errno, hint: hint)
    }
}
