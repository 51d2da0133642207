import Contracts
import Foundation
import Jail
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `bexy` binary built next to the test bundle, with a private state directory and the
/// repository's profiles.
enum CLI {
    /// What one run of `bexy` did.
    struct Run: CustomStringConvertible {
        var status: Int32
        /// True when bexy itself was killed by a signal (`status` is then the signal number).
        var killedBySignal: Bool
        var stdout: String
        var stderr: String
        var seconds: Double

        /// The non-empty lines of stderr.
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

        var description: String {
            "exit \(killedBySignal ? "signal " : "")\(status) after \(seconds)s\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
        }
    }

    /// `bexy`, built next to the test bundle (`.build/<triple>/debug/`).
    static let binary = TestHost.binary("bexy")

    /// A new empty directory under /tmp.
    static func makeTemporaryDirectory() -> String {
        temporaryDirectory(prefix: "bexy-cli-tests")
    }

    /// The state directory shared by runs that do not ask for their own.
    static let sharedStateDirectory = makeTemporaryDirectory()

    /// Write `contents` to a new file in a new temporary directory and return its path.
    static func temporaryFile(named name: String = "file", _ contents: String) throws -> String {
        let path = makeTemporaryDirectory() + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Run `bexy arguments...` (through `launcher`, if given), feeding `stdin` (or an empty stdin), and wait for
    /// it, killing it after `limit` seconds (which fails the test).
    ///
    /// bexy's environment is `inherited` with `BEXY_STATE_DIR` (`stateDirectory`) and `BEXY_PROFILES_DIR` (the
    /// repository's profiles) set, then `extra`; a nil `stateDirectory` sets neither.
    ///
    /// bexy starts as from a login shell: default signal dispositions and an empty signal mask. (The test runs
    /// on a worker thread that blocks most signals, and a spawned child would inherit that mask.)
    static func run(_ arguments: [String], stdin: String? = nil, stateDirectory: String? = sharedStateDirectory,
                    inherited: [String: String] = ProcessInfo.processInfo.environment,
                    environment extra: [String: String] = [:], launcher: [String] = [], limit: Double = 120,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        #expect(access(binary, X_OK) == 0, "no bexy binary at \(binary)", sourceLocation: sourceLocation)
        let scratch = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/stdout", errPath = scratch + "/stderr", inPath = scratch + "/stdin"
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))

        var environment = inherited
        if let stateDirectory {
            environment["BEXY_STATE_DIR"] = stateDirectory
            environment["BEXY_PROFILES_DIR"] = TestHost.repositoryRoot + "/profiles"
        }
        environment.merge(extra) { _, new in new }
        // A launcher (e.g. a wrapper that changes the signal state) gets bexy's path and arguments after its own.
        let argv = launcher.isEmpty ? [binary] + arguments : launcher + [binary] + arguments

        let start = Date()
        var pid: pid_t = 0
        let rc = spawnAsFromLoginShell(argv, environment: environment, stdin: inPath, stdout: outPath, stderr: errPath,
                                       pid: &pid)
        try #require(rc == 0, "posix_spawn \(argv[0]): \(String(cString: strerror(rc)))", sourceLocation: sourceLocation)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                Issue.record("waitpid: \(String(cString: strerror(errno)))", sourceLocation: sourceLocation)
                break
            }
            if Date().timeIntervalSince(start) > limit {
                Issue.record("bexy \(arguments) still running after \(limit)s; killing it", sourceLocation: sourceLocation)
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let stdout = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self)
        let signal = status & 0x7f
        return Run(status: signal == 0 ? (status >> 8) & 0xff : signal, killedBySignal: signal != 0,
                   stdout: stdout, stderr: stderr, seconds: seconds)
    }

    /// `run` for `bexy exec ...`.
    static func exec(_ arguments: [String], stdin: String? = nil, stateDirectory: String = sharedStateDirectory,
                     environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Run {
        try run(["exec"] + arguments, stdin: stdin, stateDirectory: stateDirectory, environment: environment,
                sourceLocation: sourceLocation)
    }

    /// The one JSON object a `--json` run printed: stdout must be exactly one line holding one object.
    static func jsonObject(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(run.stdout.hasSuffix("\n"), "JSON output must end with a newline", sourceLocation: sourceLocation)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines.last == "", "expected exactly one line of JSON:\n\(run)",
                sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        return try #require(object as? [String: Any], "stdout is not a JSON object:\n\(run)",
                            sourceLocation: sourceLocation)
    }

    /// Every key of `ExecutionResult`'s JSON, null or not.
    static let resultKeys: Set<String> = [
        "id", "profile", "status", "exit_code", "signal", "stdout", "stderr", "stdout_truncated", "stderr_truncated",
        "wall_ms", "cpu_ms", "peak_memory_bytes", "limit_hit", "blocked_syscall", "limits", "success", "error_type",
        "error_message", "output", "error", "sandbox",
    ]

    /// Read a repository profile's JSON.
    static func profileJSON(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestHost.repositoryRoot + "/profiles/\(name).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
