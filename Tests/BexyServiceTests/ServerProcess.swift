import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `bexy-server` (or `bexy serve`) process, built next to the test bundle, with a private state
/// directory, the repository's profiles, and no central `.env` but the variables given.
final class ServerProcess: @unchecked Sendable {
    let pid: pid_t
    let stateDirectory: String
    private let outputPath: String
    private let errorPath: String
    private var exitStatus: Int32?

    /// Start `executable` (a path, default `bexy-server` next to the tests) with `arguments`.
    ///
    /// The process starts as from a login shell: default signal dispositions and an empty signal mask (test
    /// threads block signals, and SIGTERM must reach the server).
    init(_ arguments: [String], executable: String = TestHost.binary("bexy-server"),
         stateDirectory: String = temporaryDirectory(prefix: "bexy-server-test"),
         environment extra: [String: String] = ["PYLAMA_INTERNAL_TOKEN": Harness.token]) throws {
        self.stateDirectory = stateDirectory
        outputPath = stateDirectory + "/stdout"
        errorPath = stateDirectory + "/stderr"
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("BEXY_") && !$0.key.hasPrefix("PYLAMA_")
        }
        environment["BEXY_STATE_DIR"] = stateDirectory
        environment["BEXY_PROFILES_DIR"] = TestHost.repositoryRoot + "/profiles"
        environment["PYLAMA_ENV"] = stateDirectory + "/central.env"
        environment["LOGLAMA_URL"] = "http://127.0.0.1:9"  // no LogLama unless a test gives one: records stay spooled
        environment.merge(extra) { _, new in new }
        var pid: pid_t = 0
        let rc = spawnAsFromLoginShell([executable] + arguments, environment: environment, stdin: "/dev/null",
                                       stdout: outputPath, stderr: errorPath, pid: &pid)
        try #require(rc == 0, "posix_spawn \(executable): \(String(cString: strerror(rc)))")
        self.pid = pid
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// The port from the `listening on HOST:PORT` line, once printed (nil if the process exits first).
    func port() async throws -> Int? {
        for _ in 0..<3000 {
            if let line = standardOutput.split(separator: "\n").first(where: { $0.contains("listening on") }),
               let port = Int(line.split(separator: ":").last ?? "") {
                return port
            }
            if try hasExited() { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Whether the process has exited (reaping it).
    func hasExited() throws -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid { exitStatus = status }
        return exitStatus != nil
    }

    /// Wait for the exit (up to `seconds`, then kill it and record an issue); returns the exit code, or 128+N
    /// for a signal.
    func waitForExit(seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while try !hasExited() {
            if Date() > deadline {
                Issue.record("server still running after \(seconds) s; killing it", sourceLocation: sourceLocation)
                kill(pid, SIGKILL)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let status = exitStatus ?? 0
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// A raw TCP connection to a loopback port: for a client that sends a request and then goes away.
struct RawConnection: ~Copyable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = fd
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(rc == 0, "connect: \(String(cString: strerror(errno)))")
    }

    /// Send a whole HTTP/1.1 POST of `body` to `path`.
    func post(_ path: String, body: String, headers: [(String, String)]) {
        var text = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }

    deinit { close(fd) }
}
