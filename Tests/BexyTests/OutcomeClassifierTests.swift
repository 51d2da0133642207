import Contracts
import Foundation
import Testing

@testable import Bexy
@testable import Jail

// MARK: - Fixtures

private let limits = ResourceLimits(
    wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
    fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 2 << 20,
    tmpBytes: 16 << 20, workdirBytes: 16 << 20)

/// A hand-made outcome; every fact defaults to "a clean exit 0 that used little".
private func outcome(
    _ termination: JailOutcome.Termination = .exited(0), stdout: String = "", stderr: String = "",
    stdoutTruncated: Bool = false, stderrTruncated: Bool = false, wallNanoseconds: UInt64 = 12_345_678,
    cpuMicroseconds: Int64 = 4_321, peakMemoryBytes: Int? = 7 << 20, oomKills: Int = 0, pidsLimitHits: Int = 0,
    enforced: JailOutcome.Enforced? = nil, blockedSyscall: String? = nil
) -> JailOutcome {
    JailOutcome(
        termination: termination, stdout: Array(stdout.utf8), stderr: Array(stderr.utf8),
        stdoutTruncated: stdoutTruncated, stderrTruncated: stderrTruncated, wallNanoseconds: wallNanoseconds,
        cpuMicroseconds: cpuMicroseconds,
        cgroup: CgroupStats(peakMemoryBytes: peakMemoryBytes, oomKills: oomKills, pidsLimitHits: pidsLimitHits),
        enforced: enforced, blockedSyscall: blockedSyscall, hostUid: 2_000_000_001)
}

private func classify(_ outcome: JailOutcome, limits: ResourceLimits = limits) -> OutcomeClassifier.Verdict {
    OutcomeClassifier.classify(outcome, limits: limits)
}

private func traceback(_ last: String) -> String {
    """
    Traceback (most recent call last):
      File "/sandbox/main.py", line 3, in <module>
        main()
      File "/sandbox/main.py", line 2, in main
        do_it()
    \(last)

    """
}

private let syntaxErrorOutput = """
      File "/sandbox/main.py", line 1
        def (:
            ^
    SyntaxError: invalid syntax

    """

// MARK: - classify

@Suite struct OutcomeClassifierTests {
    @Test func cleanExitIsOk() {
        let verdict = classify(outcome(.exited(0), stdout: "hello\n", stderr: "a warning on stderr\n"))
        #expect(verdict == OutcomeClassifier.Verdict(status: .ok, limitHit: nil, errorType: nil, errorMessage: nil))
    }

    @Test func uncaughtExceptionIsARuntimeErrorWithTheTracebacksClassAndMessage() {
        let verdict = classify(outcome(.exited(1), stderr: traceback("ValueError: invalid literal for int(): 'x'")))
        #expect(verdict.status == .runtimeError)
        #expect(verdict.limitHit == nil)
        #expect(verdict.errorType == "ValueError")
        #expect(verdict.errorMessage == "invalid literal for int(): 'x'")
    }

    @Test func nonZeroExitWithoutTracebackIsARuntimeErrorNamingTheCode() {
        let verdict = classify(outcome(.exited(3), stderr: "just some text\n"))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .runtimeError, limitHit: nil, errorType: "RuntimeError", errorMessage: "exited with code 3"))
    }

    @Test func aFailedForkAtThePidsLimitIsReportedAsTheLimitHit() {
        let verdict = classify(outcome(.exited(1), stderr: traceback("BlockingIOError: [Errno 11] Resource temporarily unavailable"),
                                       pidsLimitHits: 2))
        #expect(verdict.status == .runtimeError)
        #expect(verdict.limitHit == "pids")
        #expect(verdict.errorType == "BlockingIOError")
        #expect(verdict.errorMessage == "[Errno 11] Resource temporarily unavailable")
    }

    @Test func syntaxErrorOutputIsARuntimeErrorOfTypeSyntaxError() {
        let verdict = classify(outcome(.exited(1), stderr: syntaxErrorOutput))
        #expect(verdict.status == .runtimeError)
        #expect(verdict.errorType == "SyntaxError")
        #expect(verdict.errorMessage == "invalid syntax")
    }

    @Test func anUnexplainedSignalIsSignaled() {
        let verdict = classify(outcome(.signaled(15), cpuMicroseconds: 9_000_000))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .signaled, limitHit: nil, errorType: "Signal", errorMessage: "killed by signal 15"))
        // SIGKILL below the CPU limit is not a CPU timeout.
        let kill = classify(outcome(.signaled(9), cpuMicroseconds: 4_999_999))
        #expect(kill.status == .signaled)
        #expect(kill.limitHit == nil)
        #expect(kill.errorMessage == "killed by signal 9")
    }

    @Test func aJobKilledBeforeReportingIsSignaled() {
        let verdict = classify(outcome(.killed))
        #expect(verdict.status == .signaled)
        #expect(verdict.limitHit == nil)
        #expect(verdict.errorType == "Signal")
        #expect(verdict.errorMessage == "the job was killed before it reported its status")
    }

    @Test func wallClockTimeout() {
        let verdict = classify(outcome(.signaled(9), enforced: .wall))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .timeout, limitHit: "wall", errorType: "TimeoutError",
            errorMessage: "Execution timed out after 10 seconds"))
        var fractional = limits
        fractional.wallTimeMs = 1_500
        #expect(classify(outcome(.killed, enforced: .wall), limits: fractional).errorMessage
            == "Execution timed out after 1.5 seconds")
    }

    @Test func cpuTimeoutBySIGXCPU() {
        let verdict = classify(outcome(.signaled(24), cpuMicroseconds: 5_000_100))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .timeout, limitHit: "cpu", errorType: "TimeoutError",
            errorMessage: "CPU time limit of 5 seconds exceeded"))
        // SIGXCPU is a CPU timeout even if the accounting reads a little under the limit.
        #expect(classify(outcome(.signaled(24), cpuMicroseconds: 100)).limitHit == "cpu")
    }

    @Test(arguments: [Int64(5_000_000), 5_000_001, 6_100_000])
    func cpuTimeoutBySIGKILLAtOrAboveTheLimit(cpu: Int64) {
        let verdict = classify(outcome(.signaled(9), cpuMicroseconds: cpu))
        #expect(verdict.status == .timeout)
        #expect(verdict.limitHit == "cpu")
        #expect(verdict.errorType == "TimeoutError")
    }

    @Test func memoryLimitFromTheOOMKiller() {
        let verdict = classify(outcome(.signaled(9), oomKills: 1))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .memoryLimit, limitHit: "memory", errorType: "MemoryError",
            errorMessage: "Memory limit of 128 MiB exceeded"))
        // An OOM kill of a child while the program itself exits normally still counts.
        #expect(classify(outcome(.exited(0), oomKills: 1)).status == .memoryLimit)
    }

    @Test func memoryLimitFromAMemoryErrorTraceback() {
        let verdict = classify(outcome(.exited(1), stderr: traceback("MemoryError")))
        #expect(verdict.status == .memoryLimit)
        #expect(verdict.limitHit == "memory")
        #expect(verdict.errorType == "MemoryError")
        #expect(verdict.errorMessage == "Memory limit of 128 MiB exceeded")
    }

    @Test func outputLimit() {
        let verdict = classify(outcome(.signaled(9), stdout: String(repeating: "x", count: 100),
                                       stdoutTruncated: true, enforced: .output))
        // The message names the larger of the two caps (stderr's 2 MiB here).
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .outputLimit, limitHit: "output", errorType: "OutputLimitError",
            errorMessage: "output exceeded 2097152 bytes"))
    }

    @Test func blockedSyscallByName() {
        let verdict = classify(outcome(.signaled(9), enforced: .syscall, blockedSyscall: "ptrace"))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .syscallBlocked, limitHit: "syscall", errorType: "SyscallBlockedError",
            errorMessage: "system call 'ptrace' is not allowed in the sandbox"))
        let unnamed = classify(outcome(.signaled(9), enforced: .syscall))
        #expect(unnamed.status == .syscallBlocked)
        #expect(unnamed.errorMessage == "system call 'unknown' is not allowed in the sandbox")
    }

    @Test func blockedSyscallBySIGSYS() {
        let verdict = classify(outcome(.signaled(31)))
        #expect(verdict == OutcomeClassifier.Verdict(
            status: .syscallBlocked, limitHit: "syscall", errorType: "SyscallBlockedError",
            errorMessage: "a forbidden system call killed the program"))
    }

    // MARK: Precedence

    @Test(arguments: [
        (JailOutcome.Enforced.wall, ExecutionStatus.timeout),
        (.output, .outputLimit),
        (.syscall, .syscallBlocked),
    ])
    func whatTheSupervisorEnforcedBeatsTheOOMKiller(enforced: JailOutcome.Enforced, expected: ExecutionStatus) {
        let verdict = classify(outcome(.signaled(9), stderr: traceback("MemoryError"), cpuMicroseconds: 9_000_000,
                                       oomKills: 3, enforced: enforced, blockedSyscall: "mount"))
        #expect(verdict.status == expected)
        #expect(verdict.limitHit != "memory")
    }

    @Test func theOOMKillerBeatsCPUAndSignals() {
        #expect(classify(outcome(.signaled(24), oomKills: 1)).status == .memoryLimit)
        #expect(classify(outcome(.signaled(9), cpuMicroseconds: 9_000_000, oomKills: 1)).status == .memoryLimit)
        #expect(classify(outcome(.signaled(31), oomKills: 1)).status == .memoryLimit)
    }

    @Test func aMemoryErrorBeatsThePidsLimit() {
        let verdict = classify(outcome(.exited(1), stderr: traceback("MemoryError"), pidsLimitHits: 1))
        #expect(verdict.status == .memoryLimit)
        #expect(verdict.limitHit == "memory")
    }

    // MARK: pythonException(in:)

    @Test func exceptionWithMessage() throws {
        let found = try #require(OutcomeClassifier.pythonException(in: traceback("KeyError: 'missing'")))
        #expect(found.type == "KeyError")
        #expect(found.message == "'missing'")
    }

    @Test func bareExceptionName() throws {
        let found = try #require(OutcomeClassifier.pythonException(in: traceback("KeyboardInterrupt")))
        #expect(found.type == "KeyboardInterrupt")
        #expect(found.message == "")
    }

    @Test func syntaxError() throws {
        let found = try #require(OutcomeClassifier.pythonException(in: syntaxErrorOutput))
        #expect(found.type == "SyntaxError")
        #expect(found.message == "invalid syntax")
    }

    @Test func dottedNamesKeepTheClassName() throws {
        let found = try #require(OutcomeClassifier.pythonException(
            in: traceback("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)")))
        #expect(found.type == "JSONDecodeError")
        // Only the first colon separates the name; the rest of the message is kept.
        #expect(found.message == "Expecting value: line 1 column 1 (char 0)")
    }

    @Test(arguments: [
        ("SystemExit: 2", "SystemExit"), ("UserWarning: careful", "UserWarning"),
        ("mymodule.CustomException: nope", "CustomException"), ("OSError: [Errno 2] x", "OSError"),
    ])
    func exceptionSuffixes(line: String, type: String) {
        #expect(OutcomeClassifier.pythonException(in: traceback(line))?.type == type)
    }

    /// stderr with CRLF line ends (a program that writes "\r\n" itself) still yields the exception, without the CR.
    @Test func carriageReturnsAreIgnored() throws {
        let crlf = try #require(OutcomeClassifier.pythonException(
            in: "Traceback (most recent call last):\r\n  File \"/sandbox/main.py\", line 1\r\nTypeError: bad operand\r\n"))
        #expect(crlf.type == "TypeError")
        #expect(crlf.message == "bad operand")
        let single = try #require(OutcomeClassifier.pythonException(in: "KeyError: 'k'\r\n"))
        #expect(single.type == "KeyError")
        #expect(single.message == "'k'")
    }

    @Test func indentedTrailingLinesAreSkipped() throws {
        let indented = try #require(OutcomeClassifier.pythonException(in: "ValueError: boom\n    a note\n"))
        #expect(indented.type == "ValueError")
        #expect(indented.message == "boom")
    }

    @Test(arguments: [
        "",
        "\n\n",
        "hello world\n",
        "Done: 3 items\n",
        "warning: something odd\n",
        "my Error: spaces are not in class names\n",
        "ValueError is what I would raise\n",
        // An exception earlier, but the last line is the program's own output.
        "Traceback (most recent call last):\nValueError: x\nall good after all\n",
        "    IndentedError: only indented lines\n",
    ])
    func nonExceptionLastLinesGiveNil(stderr: String) {
        #expect(OutcomeClassifier.pythonException(in: stderr) == nil)
    }

    @Test func aNonExceptionLastLineMakesARuntimeErrorGeneric() {
        let verdict = classify(outcome(.exited(4), stderr: "ValueError: earlier\nfinished with errors\n"))
        #expect(verdict.errorType == "RuntimeError")
        #expect(verdict.errorMessage == "exited with code 4")
    }
}

// MARK: - Engine.result

@Suite struct EngineResultTests {
    private func result(_ outcome: JailOutcome) -> ExecutionResult {
        Engine.result(id: "job-1", profile: "strict", limits: limits, outcome: outcome)
    }

    @Test func okResultMirrorsTheOutcome() {
        let r = result(outcome(.exited(0), stdout: "out\n", stderr: "err\n", stdoutTruncated: true,
                               wallNanoseconds: 1_234_999_999, cpuMicroseconds: 56_789, peakMemoryBytes: 9_999))
        #expect(r.id == "job-1")
        #expect(r.profile == "strict")
        #expect(r.status == .ok)
        #expect(r.success)
        #expect(r.exitCode == 0)
        #expect(r.signal == nil)
        #expect(r.stdout == "out\n")
        #expect(r.stderr == "err\n")
        #expect(r.output == r.stdout)
        #expect(r.error == r.stderr)
        #expect(r.stdoutTruncated)
        #expect(!r.stderrTruncated)
        #expect(r.wallMs == 1_234)
        #expect(r.cpuMs == 56)
        #expect(r.peakMemoryBytes == 9_999)
        #expect(r.limits == ExecutionLimits(limits))
        #expect(r.limitHit == nil)
        #expect(r.blockedSyscall == nil)
        #expect(r.errorType == nil)
        #expect(r.errorMessage == nil)
    }

    @Test(arguments: [
        (outcome(.exited(0)), ExecutionStatus.ok),
        (outcome(.exited(2), stderr: "NameError: name 'x' is not defined\n"), .runtimeError),
        (outcome(.signaled(15)), .signaled),
        (outcome(.killed), .signaled),
        (outcome(.signaled(9), enforced: .wall), .timeout),
        (outcome(.signaled(24)), .timeout),
        (outcome(.signaled(9), oomKills: 1), .memoryLimit),
        (outcome(.signaled(9), enforced: .output), .outputLimit),
        (outcome(.signaled(9), enforced: .syscall, blockedSyscall: "mount"), .syscallBlocked),
        (outcome(.signaled(31)), .syscallBlocked),
    ])
    func successIsTrueOnlyForOk(outcome: JailOutcome, status: ExecutionStatus) {
        let r = result(outcome)
        #expect(r.status == status)
        #expect(r.success == (status == .ok))
        #expect(r.output == String(decoding: outcome.stdout, as: UTF8.self))
        #expect(r.error == String(decoding: outcome.stderr, as: UTF8.self))
        #expect((r.errorType == nil) == (status == .ok))
    }

    @Test func outputAndErrorMirrorStdoutAndStderrOnFailure() {
        let stderr = traceback("ZeroDivisionError: division by zero")
        let r = result(outcome(.exited(1), stdout: "partial\n", stderr: stderr))
        #expect(!r.success)
        #expect(r.status == .runtimeError)
        #expect(r.exitCode == 1)
        #expect(r.output == "partial\n")
        #expect(r.stdout == "partial\n")
        #expect(r.error == stderr)
        #expect(r.stderr == stderr)
        #expect(r.errorType == "ZeroDivisionError")
        #expect(r.errorMessage == "division by zero")
    }

    @Test func signalsAreReportedInsteadOfExitCodes() {
        let signaled = result(outcome(.signaled(15)))
        #expect(signaled.exitCode == nil)
        #expect(signaled.signal == 15)
        let killed = result(outcome(.killed))
        #expect(killed.exitCode == nil)
        #expect(killed.signal == 9)
    }

    @Test func blockedSyscallIsOnlyReportedForSyscallBlocked() {
        let blocked = result(outcome(.signaled(9), enforced: .syscall, blockedSyscall: "ptrace"))
        #expect(blocked.blockedSyscall == "ptrace")
        #expect(blocked.limitHit == "syscall")
        // A stale name with a different verdict is not reported.
        let other = result(outcome(.signaled(9), enforced: .wall, blockedSyscall: "ptrace"))
        #expect(other.status == .timeout)
        #expect(other.blockedSyscall == nil)
    }

    @Test func sandboxErrorIsNotASuccess() {
        let r = Engine.sandboxError(id: "job-2", profile: "strict", limits: limits,
                                    error: JailError(.invalidConfiguration, stage: "test", message: "no cgroups"))
        #expect(r.status == .sandboxError)
        #expect(!r.success)
        #expect(r.errorType == "SandboxError")
        #expect(r.errorMessage?.contains("no cgroups") == true)
        #expect(r.exitCode == nil && r.signal == nil)
    }

    // MARK: JSON

    static let documentedKeys: Set<String> = [
        "id", "profile", "status", "exit_code", "signal", "stdout", "stderr", "stdout_truncated", "stderr_truncated",
        "wall_ms", "cpu_ms", "peak_memory_bytes", "limit_hit", "blocked_syscall", "limits", "success", "error_type",
        "error_message", "output", "error", "sandbox",
    ]

    private func jsonObject(_ result: ExecutionResult) throws -> [String: Any] {
        let data = try JSONEncoder().encode(result)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func jsonEncodesEveryKeyIncludingNulls() throws {
        var r = result(outcome(.exited(0), stdout: "1\n", peakMemoryBytes: nil))
        r.limits = nil
        let object = try jsonObject(r)
        #expect(Set(object.keys) == Self.documentedKeys)
        for key in ["signal", "peak_memory_bytes", "limit_hit", "blocked_syscall", "limits", "error_type",
                    "error_message"] {
            #expect(object[key] is NSNull, "\(key) should be null")
        }
        #expect(object["status"] as? String == "ok")
        #expect(object["success"] as? Bool == true)
        #expect(object["exit_code"] as? Int == 0)
        #expect(object["stdout"] as? String == "1\n")
        #expect(object["output"] as? String == "1\n")
    }

    @Test func jsonOfAFailureHasTheSameKeysWithValues() throws {
        let object = try jsonObject(result(outcome(.signaled(9), stderr: "x", enforced: .syscall,
                                                   blockedSyscall: "ptrace")))
        #expect(Set(object.keys) == Self.documentedKeys)
        #expect(object["status"] as? String == "syscall_blocked")
        #expect(object["success"] as? Bool == false)
        #expect(object["exit_code"] is NSNull)
        #expect(object["signal"] as? Int == 9)
        #expect(object["blocked_syscall"] as? String == "ptrace")
        #expect(object["limit_hit"] as? String == "syscall")
        #expect(object["error_type"] as? String == "SyscallBlockedError")
        #expect(object["error"] as? String == "x")
        let encodedLimits = try #require(object["limits"] as? [String: Any])
        #expect(encodedLimits["memory_bytes"] as? Int == 128 << 20)
    }

    @Test func jsonRoundTrips() throws {
        let r = result(outcome(.exited(1), stdout: "a", stderr: traceback("ValueError: v")))
        let decoded = try JSONDecoder().decode(ExecutionResult.self, from: try JSONEncoder().encode(r))
        #expect(decoded == r)
    }
}
