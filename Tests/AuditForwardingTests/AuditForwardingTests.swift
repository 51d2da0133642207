import AsyncHTTPClient
import AuditForwarding
import Bexy
import BexyAudit
import FoundationEssentials
import Jail
import LogLama
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root and the sandbox's kernel features"))
struct AuditForwardingTests {
    @Test func executionsWhileLogLamaIsDownAllArriveOnceWhenItIsBack() async throws {
        let directory = temporaryDirectory()
        let spool = try AuditSpool(path: directory + "/audit.db")
        let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), spool: spool)
        var ids: [String] = []
        for n in 0..<50 {
            let result = try engine.execute(ExecutionRequest(code: Array("print(\(n))".utf8), requester: "forward-test",
                                                             frontDoor: .cli))
            #expect(result.status == .ok)
            ids.append(result.id)
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)

        // LogLama is down: forwarding fails and loses nothing.
        let down = AuditForwarder(spoolPath: spool.path, endpoint: "http://127.0.0.1:\(refusedPort())/api/audit",
                                  batchSize: 20, timeout: .seconds(2))
        await #expect(throws: AuditForwarder.ForwardError.self) { try await down.forwardPending(client: client) }
        #expect(try spool.pending(limit: 1000).count == 50)

        let store = try LogLamaStore(path: directory + "/loglama.db")
        try await withLogLama(store: store) { port in
            let up = AuditForwarder(spoolPath: spool.path, endpoint: "http://127.0.0.1:\(port)/api/audit", batchSize: 20)
            let first = try await up.forwardPending(client: client)
            #expect(first == AuditForwarder.Report(stored: 50, duplicates: 0, batches: 3))
            #expect(try spool.pending(limit: 1000).isEmpty)
            #expect(try await up.forwardPending(client: client) == AuditForwarder.Report())

            // A lost acknowledgement: the same records are sent again from a copy of the spool; LogLama keeps one.
            let copy = try AuditSpool(path: directory + "/copy.db")
            for record in try spool.list(limit: 1000) { try copy.append(record) }
            let again = AuditForwarder(spoolPath: copy.path, endpoint: up.endpoint, batchSize: 50)
            #expect(try await again.forwardPending(client: client) == AuditForwarder.Report(stored: 0, duplicates: 50,
                                                                                             batches: 1))
        }
        try await client.shutdown()
        let verification = try await store.verifyAuditChain()
        #expect(verification.ok)
        #expect(verification.records == 50)
    }
}
