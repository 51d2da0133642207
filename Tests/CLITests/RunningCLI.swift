import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `bexy` started with pipes, for watching it while it runs: the test writes its stdin, and reads its stdout and
/// stderr from one pipe, so the order of the lines is the order bexy wrote them in.
final class RunningCLI {
    let pid: pid_t
    /// The write end of bexy's stdin; -1 once closed.
    private var input: Int32
    /// The read end of the pipe bexy's stdout and stderr both write to.
    private let output: Int32
    private var pending: [UInt8] = []
    private var status: Int32?

    /// Start `bexy arguments...` with the state directory and profiles `CLI.run` gives it, plus `extra`.
    init(_ arguments: [String], environment extra: [String: String] = [:],
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        var stdinPipe: [Int32] = [0, 0], outputPipe: [Int32] = [0, 0]
        try #require(pipe(&stdinPipe) == 0 && pipe(&outputPipe) == 0)
        for fd in stdinPipe + outputPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var environment = ProcessInfo.processInfo.environment
        environment["BEXY_STATE_DIR"] = CLI.sharedStateDirectory
        environment["BEXY_PROFILES_DIR"] = TestHost.repositoryRoot + "/profiles"
        environment.merge(extra) { _, new in new }
        // The child opens the pipes through this process's /proc entries, before posix_spawn returns (vfork).
        let me = getpid()
        var pid: pid_t = 0
        let rc = spawnAsFromLoginShell([CLI.binary] + arguments, environment: environment,
                                       stdin: "/proc/\(me)/fd/\(stdinPipe[0])",
                                       stdout: "/proc/\(me)/fd/\(outputPipe[1])",
                                       stderr: "/proc/\(me)/fd/\(outputPipe[1])", pid: &pid)
        close(stdinPipe[0])
        close(outputPipe[1])
        self.pid = pid
        input = stdinPipe[1]
        output = outputPipe[0]
        try #require(rc == 0, "posix_spawn bexy: \(String(cString: strerror(rc)))", sourceLocation: sourceLocation)
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
        }
        if input >= 0 { close(input) }
        close(output)
    }

    /// Write `text` to bexy's stdin.
    func write(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) } == bytes.count)
    }

    /// Close bexy's stdin (end of file).
    func closeInput() {
        close(input)
        input = -1
    }

    /// The next line of output without its newline, waiting at most `timeout` seconds; nil at end of file or on
    /// timeout.
    func readLine(timeout: Double = 60) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pending.firstIndex(of: 0x0a) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, readMore(timeoutMs: Int32(left * 1000)) else { return nil }
        }
    }

    /// The rest of the output, to end of file (or `timeout`).
    func readRest(timeout: Double = 60) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0, readMore(timeoutMs: Int32(deadline.timeIntervalSinceNow * 1000)) {}
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Whether bexy is still running.
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = raw
        return false
    }

    /// Wait for bexy (at most `timeout` seconds, then kill it) and return its exit code (128+N for a signal).
    func exitCode(timeout: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if deadline.timeIntervalSinceNow < 0 {
                Issue.record("bexy still running after \(timeout)s; killing it")
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        let raw = status ?? 0
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Read what is available into `pending`; false at end of file or when nothing came within `timeoutMs`.
    private func readMore(timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, max(timeoutMs, 1)) == 1 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        pending += buffer[0..<n]
        return true
    }
}
