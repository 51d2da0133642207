import Contracts
import Jail

/// Turns the Jail's facts about a finished job into a status, the limit that fired, and the original
/// BEXY `error_type`/`error_message`. Pure: unit-tested without running anything.
public enum OutcomeClassifier {
    /// The verdict on one job.
    public struct Verdict: Equatable, Sendable {
        public var status: ExecutionStatus
        public var limitHit: String?
        public var errorType: String?
        public var errorMessage: String?
    }

    static let sigkill: Int32 = 9
    static let sigsys: Int32 = 31
    static let sigxcpu: Int32 = 24

    /// Classify. Precedence: what the supervisor enforced, then the kernel's limits, then the program's end.
    public static func classify(_ outcome: JailOutcome, limits: ResourceLimits) -> Verdict {
        let stderrText = String(decoding: outcome.stderr, as: UTF8.self)
        switch outcome.enforced {
        case .syscall:
            let name = outcome.blockedSyscall ?? "unknown"
            return Verdict(status: .syscallBlocked, limitHit: "syscall", errorType: "SyscallBlockedError",
                           errorMessage: "system call '\(name)' is not allowed in the sandbox")
        case .output:
            return Verdict(status: .outputLimit, limitHit: "output", errorType: "OutputLimitError",
                           errorMessage: "output exceeded \(max(limits.stdoutBytes, limits.stderrBytes)) bytes")
        case .wall:
            return Verdict(status: .timeout, limitHit: "wall", errorType: "TimeoutError",
                           errorMessage: "Execution timed out after \(seconds(limits.wallTimeMs)) seconds")
        case .cancelled:
            return Verdict(status: .cancelled, limitHit: nil, errorType: "CancelledError",
                           errorMessage: "the job was cancelled before it finished")
        case nil:
            break
        }
        let exception = pythonException(in: stderrText)
        if outcome.cgroup.oomKills > 0 || exception?.type == "MemoryError" {
            return Verdict(status: .memoryLimit, limitHit: "memory", errorType: "MemoryError",
                           errorMessage: "Memory limit of \(limits.memoryBytes / 1_048_576) MiB exceeded")
        }
        switch outcome.termination {
        case .signaled(let signal) where signal == sigxcpu
            || (signal == sigkill && outcome.cpuMicroseconds >= Int64(limits.cpuTimeMs) * 1000):
            return Verdict(status: .timeout, limitHit: "cpu", errorType: "TimeoutError",
                           errorMessage: "CPU time limit of \(seconds(limits.cpuTimeMs)) seconds exceeded")
        case .signaled(let signal) where signal == sigsys:
            return Verdict(status: .syscallBlocked, limitHit: "syscall", errorType: "SyscallBlockedError",
                           errorMessage: "a forbidden system call killed the program")
        case .signaled(let signal):
            return Verdict(status: .signaled, limitHit: nil, errorType: "Signal",
                           errorMessage: "killed by signal \(signal)")
        case .killed:
            return Verdict(status: .signaled, limitHit: nil, errorType: "Signal",
                           errorMessage: "the job was killed before it reported its status")
        case .exited(0):
            return Verdict(status: .ok, limitHit: nil, errorType: nil, errorMessage: nil)
        case .exited(let code):
            let pids = outcome.cgroup.pidsLimitHits > 0 ? "pids" : nil
            return Verdict(status: .runtimeError, limitHit: pids, errorType: exception?.type ?? "RuntimeError",
                           errorMessage: exception?.message ?? "exited with code \(code)")
        }
    }

    /// The exception of a Python traceback: the last line of the form `Name: message` (or a bare `Name`)
    /// whose name looks like an exception class (`SyntaxError`, `json.decoder.JSONDecodeError`).
    public static func pythonException(in stderr: String) -> (type: String, message: String)? {
        // "\r\n" is one Character in Swift: split on both line endings.
        for line in stderr.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).reversed()
        where !line.hasPrefix(" ") {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            let name: Substring
            let message: Substring
            if let colon = text.firstIndex(of: ":") {
                name = text[..<colon]
                message = text[text.index(after: colon)...].drop(while: { $0 == " " })
            } else {
                name = text
                message = ""
            }
            let last = name.split(separator: ".").last ?? name
            let isIdentifier = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            let looksLikeException = ["Error", "Exception", "Interrupt", "Exit", "Warning"].contains { last.hasSuffix($0) }
            if isIdentifier && looksLikeException { return (String(last), String(message)) }
            return nil
        }
        return nil
    }

    private static func seconds(_ ms: Int) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }
}
