import Contracts
import FoundationEssentials

/// What `bexy exec` prints and returns once a job is over, made from its result: the result as one JSON line
/// (`--json`), or the one line bexy says about a job that did not simply run (a timeout, a limit, a sandbox error),
/// and the exit code. The cold path makes it in the CLI; a service makes it for a handed-off job, so that the CLI
/// only writes bytes and exits (`HandoffFrame.Kind.result`).
public struct CLIReport: Sendable, Equatable {
    /// The exit code (as timeout(1) and docker): the program's own; 124 on timeout; 128+N when a signal ended it
    /// (137 for memory and output limits, 159 for a blocked system call); 125 when the sandbox could not be set up.
    public var exitCode: Int32
    /// What goes to stdout: the result's JSON and a newline with `--json`, else nothing.
    public var stdout: [UInt8]
    /// What goes to stderr: bexy's line about the job, or nothing.
    public var stderr: [UInt8]

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The report of `result`, for `--json` or not.
    public init(_ result: ExecutionResult, json: Bool) {
        exitCode = Self.exitCode(for: result)
        stdout = []
        stderr = []
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            stdout = Array((try? encoder.encode(result)) ?? Data()) + [0x0a]
        } else if result.status != .ok && result.status != .runtimeError, let message = result.errorMessage {
            stderr = Array("bexy: \(result.status.rawValue): \(message)\n".utf8)
        }
    }

    /// The report as a `result` frame carries it (`HandoffWriter`'s layout).
    public var encoded: [UInt8] {
        var writer = HandoffWriter()
        writer.integer(Int(exitCode))
        writer.data(stdout)
        writer.data(stderr)
        return writer.bytes
    }

    /// A report read back from a `result` frame; nil if `bytes` are not one.
    public init?(decoding bytes: [UInt8]) {
        var reader = HandoffReader(bytes)
        guard let code = try? reader.integer(), let out = try? reader.data(), let err = try? reader.data(),
              reader.atEnd, let exitCode = Int32(exactly: code) else { return nil }
        self.init(exitCode: exitCode, stdout: out, stderr: err)
    }

    /// The exit code of a result (see `exitCode`).
    public static func exitCode(for result: ExecutionResult) -> Int32 {
        switch result.status {
        case .ok, .runtimeError: return Int32(result.exitCode ?? 1)
        case .timeout: return 124
        case .sandboxError: return 125
        case .syscallBlocked: return 128 + 31
        case .memoryLimit, .outputLimit, .signaled, .cancelled, .started, .interrupted:
            return 128 + Int32(result.signal ?? 9)
        }
    }
}
