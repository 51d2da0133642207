import Contracts
import PyLLM
import Synchronization

/// A sandbox for the loop's logic without sandboxes: a program "fails" with a NameError while it contains
/// `undefined_name` (as a real run would), and succeeds otherwise; every program it was given is kept.
public final class ScriptedSandbox: SandboxRunner, @unchecked Sendable {
    public init() {}

    private let ran = Mutex<[String]>([])
    public var programs: [String] { ran.withLock { $0 } }

    public func run(code: String, stdin: String?, profile: String?, requester: String, requestID: String) async throws
        -> ExecutionResult {
        ran.withLock { $0.append(code) }
        let fails = code.contains("undefined_name")
        let stderr = fails ? "Traceback (most recent call last):\n  File \"main.py\", line 1\nNameError: name "
            + "'undefined_name' is not defined\n" : ""
        return ExecutionResult(id: "job-\(programs.count)", profile: profile ?? "strict", status: fails ? .runtimeError : .ok,
                               exitCode: fails ? 1 : 0, signal: nil, stdout: fails ? "" : "ok\n", stderr: stderr,
                               stdoutTruncated: false, stderrTruncated: false, wallMs: 1, cpuMs: 1,
                               peakMemoryBytes: nil, limitHit: nil, blockedSyscall: nil, limits: nil, success: !fails,
                               errorType: fails ? "NameError" : nil,
                               errorMessage: fails ? "name 'undefined_name' is not defined" : nil,
                               output: fails ? "" : "ok\n", error: stderr)
    }
}
