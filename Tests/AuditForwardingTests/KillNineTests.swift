import Bexy
import BexyAudit
import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import LogLama

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of either side, at any moment, loses nothing and duplicates nothing: the real `loglama serve` and
/// `bexy-forward` binaries, each killed and restarted while 3,000 records cross.
@Suite(.serialized) struct KillNineTests {
    private static func start(_ name: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestHost.binary(name))
        process.arguments = arguments
        process.environment = ["HOME": "/nonexistent", "PYLAMA_ENV": "/nonexistent/.env"]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    private static func killNine(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Records LogLama holds, read from its database file (WAL: a reader beside the writing server).
    private static func stored(_ reader: LogLamaStore) async throws -> Int {
        try await reader.queryAudit(AuditFilter(query: QueryParameters(query: "")),
                                    pagination: Pagination(page: 1, pageSize: 1)).total
    }

    @Test func killingLogLamaAndTheForwarderMidStreamLosesAndDuplicatesNothing() async throws {
        let directory = temporaryDirectory(prefix: "kill-nine")
        let spool = try AuditSpool(path: directory + "/audit.db")
        let total = 3000
        let limits = ExecutionLimits(wallTimeMs: 5000, cpuTimeMs: 5000, memoryBytes: 256 << 20, pids: 32, cpus: 1,
                                    openFiles: 64, fileSizeBytes: 16 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20,
                                    stderrBytes: 1 << 20, tmpBytes: 64 << 20, workdirBytes: 64 << 20)
        for n in 0..<total {
            try spool.append(AuditRecord(
                requester: "kill-test", frontDoor: .cli, profile: "strict",
                codeSha256: AuditRecord.sha256Hex(Array("print(\(n))".utf8)), codeBytes: 8,
                limits: limits, status: .ok, exitCode: 0, signal: nil, blockedSyscall: nil, limitHit: nil,
                wallMs: 1, cpuMs: 1, peakMemoryBytes: nil, stdoutBytes: 2, stderrBytes: 0, hostUid: 0,
                bexyVersion: Engine.version))
        }
        let port = closedPort()
        let database = directory + "/loglama.db"
        let serve = ["serve", "--port", String(port), "--db", database]
        let forward = ["--spool", spool.path, "--url", "http://127.0.0.1:\(port)", "--interval", "0.02",
                       "--batch-size", "1"]
        let serverLog = directory + "/loglama.log"
        let forwarderLog = directory + "/forward.log"

        var server = try Self.start("loglama", serve, log: serverLog)
        var forwarder = try Self.start("bexy-forward", forward, log: forwarderLog)
        defer {
            Self.killNine(server)
            Self.killNine(forwarder)
        }
        func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
            for _ in 0..<3000 {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("timed out waiting until \(what)")
        }
        func healthy() async -> Bool {
            await HealthCheck.probe(service: "loglama", url: "http://127.0.0.1:\(port)").active
        }

        // Three rounds: kill -9 the server mid-stream, then the forwarder, then both at once; restart each. The kill
        // points are early (5%, 10%, 15% of 3,000 one-record batches) so every round lands mid-stream even on a loaded machine.
        try await waitUntil("LogLama is up") { await healthy() }
        let reader = try LogLamaStore(path: database)
        for round in 1...3 {
            try await waitUntil("LogLama is up") { await healthy() }
            let target = total * round / 20
            try await waitUntil("\(target) records arrived") { try await Self.stored(reader) >= target }
            let pending = try spool.pending(limit: total).count
            #expect(pending > 0, "round \(round) must kill mid-stream, not after the end")
            switch round {
            case 1:
                Self.killNine(server)
                server = try Self.start("loglama", serve, log: serverLog)
            case 2:
                Self.killNine(forwarder)
                forwarder = try Self.start("bexy-forward", forward, log: forwarderLog)
            default:
                Self.killNine(server)
                Self.killNine(forwarder)
                server = try Self.start("loglama", serve, log: serverLog)
                forwarder = try Self.start("bexy-forward", forward, log: forwarderLog)
            }
        }
        try await waitUntil("the spool is drained") { try spool.pending(limit: 1).isEmpty }
        let verification = try await LogLamaStore(path: database).verifyAuditChain()
        #expect(verification.ok)
        #expect(verification.records == total, "LogLama holds \(verification.records) of \(total)")
        let log = (try? String(contentsOfFile: forwarderLog, encoding: .utf8)) ?? ""
        #expect(server.isRunning && forwarder.isRunning, "\(log)")
    }
}
