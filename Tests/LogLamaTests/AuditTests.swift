import Bexy
import Contracts
import FoundationEssentials
import GRDB
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import Testing

@testable import LogLama

private let limits = ExecutionLimits(
    wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
    fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
    tmpBytes: 16 << 20, workdirBytes: 16 << 20)

func makeAuditRecord(status: ExecutionStatus = .ok, profile: String = "strict", requester: String = "alice",
                     time: String = "2026-11-25T08:30:00.123Z", id: String = AuditRecord.newID()) -> AuditRecord {
    AuditRecord(id: id, time: time, requester: requester, frontDoor: .cli, profile: profile,
                codeSha256: AuditRecord.sha256Hex(Array("print(1)\n".utf8)), codeBytes: 9, limits: limits,
                status: status, exitCode: status == .ok ? 0 : nil, signal: status == .timeout ? 9 : nil,
                limitHit: status == .timeout ? "wall" : nil, wallMs: 42, cpuMs: 30, peakMemoryBytes: 9_000_000,
                stdoutBytes: 2, stderrBytes: 0, hostUid: 2_000_000_000, bexyVersion: "0.1.0")
}

private struct RecordsEnvelope: Encodable {
    var records: [AuditRecord]
}

@Suite("The audit trail") struct AuditTests {
    @Test func ingestDedupesByID() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let batch = [
                makeAuditRecord(status: .ok, time: "2026-11-25T08:00:00.000Z"),
                makeAuditRecord(status: .timeout, requester: "bob", time: "2026-11-25T09:00:00.000Z"),
                makeAuditRecord(status: .ok, profile: "standard", time: "2026-11-26T08:00:00.000Z"),
            ]
            let first = try await client.send(.post, "/api/audit", encoding: batch)
            #expect(first.status == .ok)
            #expect(first.json == .object(["status": "ok", "stored": .integer(3), "duplicates": .integer(0)]))
            // At-least-once delivery: the same batch again stores nothing.
            let again = try await client.send(.post, "/api/audit", encoding: batch)
            #expect(again.json["stored"]?.int == 0)
            #expect(again.json["duplicates"]?.int == 3)
            // The envelope form, with a new record, an old one and a repeat inside the batch.
            let fresh = makeAuditRecord(status: .syscallBlocked, time: "2026-11-27T08:00:00.000Z")
            let mixed = try await client.send(.post, "/api/audit", encoding: RecordsEnvelope(records: [fresh, batch[0], fresh]))
            #expect(mixed.json["stored"]?.int == 1)
            #expect(mixed.json["duplicates"]?.int == 2)

            let listing = try await client.get("/api/audit")
            #expect(listing["total"]?.int == 4)
            #expect(listing["pages"]?.int == 1)
            let ids = (listing["records"]?.array ?? []).compactMap { $0["record"]?["id"]?.string }
            #expect(ids == [fresh.id, batch[2].id, batch[1].id, batch[0].id])  // newest first
            let seqs = (listing["records"]?.array ?? []).compactMap { $0["seq"]?.int }
            #expect(seqs == [4, 3, 2, 1])
        }
    }

    @Test func storedRecordsAreChained() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let records = [makeAuditRecord(), makeAuditRecord(status: .memoryLimit)]
            _ = try await client.send(.post, "/api/audit", encoding: records)
            let first = try await client.get("/api/audit/\(records[0].id)")
            let second = try await client.get("/api/audit/\(records[1].id)")
            #expect(first["prev_hash"]?.string == String(repeating: "0", count: 64))
            #expect(second["prev_hash"]?.string == first["hash"]?.string)
            let canonical = try AuditChain.canonicalJSON(records[0])
            #expect(first["hash"]?.string == AuditChain.hash(previousHash: AuditChain.genesisHash, canonicalRecord: canonical))
            #expect(first["hash"]?.string?.count == 64)
            // The record comes back as it was sent.
            let roundTrip = try JSONDecoder().decode(AuditRecord.self, from: JSONEncoder().encode(try #require(second["record"])))
            #expect(roundTrip == records[1])
            let missing = try await client.send(.get, "/api/audit/no-such-id")
            #expect(missing.status == .notFound)
            #expect(missing.json.errorCode == "not_found")
        }
    }

    @Test func queryFilters() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let records = [
                makeAuditRecord(status: .ok, profile: "strict", requester: "alice", time: "2026-11-25T08:00:00.000Z"),
                makeAuditRecord(status: .timeout, profile: "strict", requester: "bob", time: "2026-11-25T09:00:00.000Z"),
                makeAuditRecord(status: .ok, profile: "standard", requester: "alice", time: "2026-11-26T08:00:00.000Z"),
                makeAuditRecord(status: .runtimeError, profile: "standard", requester: "carol", time: "2026-11-27T08:00:00.000Z"),
            ]
            _ = try await client.send(.post, "/api/audit", encoding: records)
            func ids(_ query: String) async throws -> [String] {
                try await client.get("/api/audit?sort_direction=asc&\(query)")["records"]?.array
                    .compactMap { $0["record"]?["id"]?.string } ?? []
            }
            #expect(try await ids("status=ok") == [records[0].id, records[2].id])
            #expect(try await ids("status=timeout") == [records[1].id])
            #expect(try await ids("profile=standard") == [records[2].id, records[3].id])
            #expect(try await ids("requester=alice") == [records[0].id, records[2].id])
            #expect(try await ids("since=2026-11-26") == [records[2].id, records[3].id])
            #expect(try await ids("until=2026-11-25") == [records[0].id, records[1].id])
            #expect(try await ids("since=2026-11-25T08:30:00Z&until=2026-11-26T08:00:00Z") == [records[1].id, records[2].id])
            #expect(try await ids("status=ok&profile=standard&requester=alice") == [records[2].id])
            #expect(try await ids("requester=nobody") == [])

            let paged = try await client.get("/api/audit?page_size=3&page=2")
            #expect(paged["pages"]?.int == 2)
            #expect(paged["total"]?.int == 4)
            #expect(paged["page_size"]?.int == 3)
            #expect(paged["records"]?.array.count == 1)

            for (query, field) in [("status=exploded", "status"), ("since=whenever", "since"), ("page=0", "page"),
                                   ("sort_direction=sideways", "sort_direction")] {
                let reply = try await client.send(.get, "/api/audit?\(query)")
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.json.errorField == field, "\(query): \(reply.json)")
            }
        }
    }

    /// Records forwarded late (LogLama was down, a spool drained afterwards) are listed by when they ran.
    @Test func recordsAreListedByExecutionTimeNotArrival() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let late = makeAuditRecord(time: "2026-11-25T08:00:00.000Z")
            let recent = makeAuditRecord(time: "2026-11-25T10:00:00.000Z")
            let middle = makeAuditRecord(time: "2026-11-25T09:00:00.000Z")
            for record in [recent, late, middle] { _ = try await client.send(.post, "/api/audit", encoding: [record]) }
            func ids(_ query: String) async throws -> [String] {
                try await client.get("/api/audit?\(query)")["records"]?.array.compactMap { $0["record"]?["id"]?.string } ?? []
            }
            #expect(try await ids("") == [recent.id, middle.id, late.id])
            #expect(try await ids("sort_direction=asc") == [late.id, middle.id, recent.id])
        }
    }

    @Test func invalidRecordsAreNamedAndNothingIsStored() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let valid = String(decoding: try JSONEncoder().encode(makeAuditRecord()), as: UTF8.self)
            var withoutStatus = try #require(JSONValue.parse(valid))
            if case .object(var members) = withoutStatus {
                members["status"] = nil
                withoutStatus = .object(members)
            }
            let cases: [(body: String, field: String)] = [
                ("[\(valid), \(withoutStatus.serialized)]", "records[1].status"),
                (#"{"records": [\#(valid), \#(valid.replacing(#""status":"ok""#, with: #""status":"exploded""#))]}"#,
                 "records[1].status"),
                ("[\(valid.replacing(#""code_bytes":9"#, with: #""code_bytes":"nine""#))]", "records[0].code_bytes"),
                ("[42]", "records[0]"),
                (#"{"records": 5}"#, "records"),
            ]
            for (body, field) in cases {
                let reply = try await client.send(.post, "/api/audit", body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.errorField == field, "\(field): \(reply.json)")
            }
            let malformed = try await client.send(.post, "/api/audit", body: "[{")
            #expect(malformed.status == .badRequest)
            #expect(malformed.json.errorCode == "invalid_json")
            #expect(try await client.get("/api/audit")["total"]?.int == 0)
        }
    }

    @Test func verifyDetectsATamperedRow() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let records = (0..<5).map { _ in makeAuditRecord() }
            _ = try await client.send(.post, "/api/audit", encoding: records)
            let intact = try await client.get("/api/audit/verify")
            #expect(intact == .object(["ok": .bool(true), "records": .integer(5)]))

            // Rewrite history behind LogLama's back: record 3 now claims a shorter run.
            let tamper = try DatabaseQueue(path: harness.configuration.databasePath)
            try await tamper.write { db in
                try db.execute(sql: """
                    UPDATE audit_records SET record = replace(record, '"wall_ms":42', '"wall_ms":1') WHERE seq = 3
                    """)
                #expect(db.changesCount == 1)
            }
            let broken = try await client.get("/api/audit/verify")
            #expect(broken["ok"]?.bool == false)
            #expect(broken["records"]?.int == 5)
            #expect(broken["broken_at"]?["seq"]?.int == 3)
            #expect(broken["broken_at"]?["id"]?.string == records[2].id)
        }
    }

    @Test func verifyDetectsARemovedRowAndAnEditedColumn() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            _ = try await client.send(.post, "/api/audit", encoding: (0..<4).map { _ in makeAuditRecord() })
            let tamper = try DatabaseQueue(path: harness.configuration.databasePath)
            try await tamper.write { db in try db.execute(sql: "UPDATE audit_records SET status = 'timeout' WHERE seq = 4") }
            #expect(try await client.get("/api/audit/verify")["broken_at"]?["seq"]?.int == 4)
            try await tamper.write { db in try db.execute(sql: "DELETE FROM audit_records WHERE seq = 2") }
            #expect(try await client.get("/api/audit/verify")["broken_at"]?["seq"]?.int == 3)
        }
    }

    @Test func concurrentAppendsKeepOneChain() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            // Eight senders on eight connections, each with its own records and ten records all of them send.
            let port = try #require(client.port)
            let shared = (0..<10).map { _ in makeAuditRecord() }
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let own = (0..<20).map { _ in makeAuditRecord() }
                        let body = try JSONEncoder().encode(own + shared)
                        let response = try await TestClient.withClient(host: "localhost", port: port) { sender in
                            try await sender.execute(.init("/api/audit", method: .post, body: ByteBuffer(bytes: body)))
                        }
                        let json = JSONValue.parse(String(buffer: response.body ?? ByteBuffer())) ?? .null
                        return (json["stored"]?.int ?? -1, json["duplicates"]?.int ?? -1)
                    }
                }
                var totals = (stored: 0, duplicates: 0)
                for try await (stored, duplicates) in group {
                    totals.stored += stored
                    totals.duplicates += duplicates
                }
                return totals
            }
            #expect(results.stored == 8 * 20 + 10)
            #expect(results.duplicates == 7 * 10)
            #expect(try await client.get("/api/audit/verify") == .object(["ok": .bool(true), "records": .integer(170)]))
        }
    }
}
