import AsyncHTTPClient
import AuditForwarding
import Contracts
import LogLama
import TestSupport
import Testing

@testable import BexyAudit

/// Records written ahead reach LogLama once, in their final state: a `started` record waits in the spool, an
/// `interrupted` or completed one is shipped, so LogLama's audit trail has one line per execution.
@Suite struct WriteAheadForwardingTests {
    private static func record(_ status: ExecutionStatus = .started, id: String = AuditRecord.newID()) -> AuditRecord {
        AuditRecord(id: id, time: "2026-12-03T09:30:00.000Z", requester: "gina", frontDoor: .http, profile: "strict",
                    codeSha256: AuditRecord.sha256Hex(Array("print(1)".utf8)), codeBytes: 8,
                    limits: ExecutionLimits(wallTimeMs: 1000, cpuTimeMs: 1000, memoryBytes: 1 << 26, pids: 8,
                                            cpus: 1, openFiles: 64, fileSizeBytes: 1 << 20, stackBytes: 1 << 23,
                                            stdoutBytes: 1 << 16, stderrBytes: 1 << 16, tmpBytes: 1 << 20,
                                            workdirBytes: 1 << 20),
                    status: status, wallMs: 0, cpuMs: 0, stdoutBytes: 0, stderrBytes: 0, hostUid: 0,
                    bexyVersion: "0.1.0")
    }

    @Test func loglamaGetsEachExecutionOnceInItsFinalState() async throws {
        let directory = temporaryDirectory(prefix: "write-ahead-forwarding")
        let spool = try AuditSpool(path: directory + "/audit.db")
        let running = Self.record(), died = Self.record(), done = Self.record()
        try spool.begin(running)
        try spool.begin(died, as: SpoolWriter(bootID: "a-previous-boot", pid: 1, startTicks: "1"))
        try spool.begin(done)
        try spool.finish(Self.record(.ok, id: done.id))
        #expect(try AuditSpool(path: spool.path).interruptedAtOpen == [died.id])

        let store = try LogLamaStore(path: directory + "/loglama.db")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withLogLama(store: store) { port in
            let forwarder = AuditForwarder(spoolPath: spool.path, endpoint: "http://127.0.0.1:\(port)/api/audit")
            #expect(try await forwarder.forwardPending(client: client).stored == 2, "the running one waits")
            try spool.finish(Self.record(.cancelled, id: running.id))
            #expect(try await forwarder.forwardPending(client: client).stored == 1)
            for (id, status) in [(running.id, "cancelled"), (died.id, "interrupted"), (done.id, "ok")] {
                let response = try await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/audit/\(id)"), timeout: .seconds(10))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                #expect(response.status.code == 200 && text.contains(#""status":"\#(status)""#), "\(id): \(text)")
            }
        }
        try await client.shutdown()
        let verification = try await store.verifyAuditChain()
        #expect(verification.ok && verification.records == 3)
    }
}
