import Foundation
import Orchestration
import ServiceKit
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway ecosystem for the real `loglama` binary: a central `.env` giving every service a free loopback
/// port, `LOGLAMA_DB` and `PYLAMA_RUN_DIR` in a fresh temp directory that is also `HOME`, so nothing reads or
/// touches the user's `~/.pylama`.
final class TestEcosystem: Sendable {
    /// `loglama` next to the test runner.
    static let binary = TestHost.binary("loglama")

    let directory: String
    let loglamaPort: Int
    /// The only environment the processes get.
    let environment: [String: String]
    let runDirectory: RunDirectory

    /// `loglamaPort` defaults to a free one.
    init(loglamaPort: Int = closedPort()) throws {
        directory = temporaryDirectory(prefix: "orchestration")
        self.loglamaPort = loglamaPort
        var central = EnvironmentFile()
        for service in Ecosystem.services {
            let port = service.name == "loglama" ? loglamaPort : closedPort()
            central.set(service.keyPrefix + "_PORT", String(port))
            central.set(service.keyPrefix + "_URL", "http://127.0.0.1:\(port)")
        }
        central.set("LOGLAMA_DB", directory + "/loglama.db")
        try central.write(to: directory + "/central.env")
        runDirectory = RunDirectory(path: directory + "/run")
        environment = ["PYLAMA_ENV": directory + "/central.env", "HOME": directory, "PYLAMA_RUN_DIR": runDirectory.path,
                       "PATH": "/usr/bin:/bin"]
    }

    /// Run `loglama arguments` in `directory` with `environment`; its exit status and stdout+stderr.
    @discardableResult
    func loglama(_ arguments: String...) throws -> (status: Int32, output: String) { try loglama(arguments) }

    /// `loglama(_:)` with an array; `binary` runs another copy of `loglama` (one with no services beside it).
    @discardableResult
    func loglama(_ arguments: [String], binary: String = binary) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Returns only once every writer closed the pipe: a started service that kept it would hang here.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// The pid in the pid file of `service`, nil if it has none.
    func pid(of service: String) -> pid_t? {
        if case .record(let record) = runDirectory.pidFile(of: service) { return record.pid }
        return nil
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Stop whatever the test started, even after a failed expectation: `stop-all`, then SIGKILL to the process
    /// group of any pid file left whose process still runs `loglama`; then remove the directory.
    func tearDown() {
        _ = try? loglama("stop-all", "--grace", "2")
        for service in Ecosystem.services {
            if let pid = pid(of: service.name), ProcessTable.isAlive(pid), ProcessTable.runs(pid, executable: "loglama") {
                kill(-pid, SIGKILL)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Run `body` with a fresh `TestEcosystem`, torn down afterwards whatever happens.
func withTestEcosystem(loglamaPort: Int = closedPort(), _ body: (TestEcosystem) async throws -> Void) async throws {
    let ecosystem = try TestEcosystem(loglamaPort: loglamaPort)
    do {
        try await body(ecosystem)
    } catch {
        ecosystem.tearDown()
        throw error
    }
    ecosystem.tearDown()
}
