import FoundationEssentials
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

@testable import LogLama

@Suite("Retention") struct RetentionTests {
    @Test func pruneByAgeKeepsAuditRecords() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs("""
                [{"level": "INFO", "message": "ancient", "timestamp": "2020-01-01T00:00:00Z"},
                 {"level": "INFO", "message": "last month", "timestamp": "2026-10-20T00:00:00Z"},
                 {"level": "INFO", "message": "yesterday", "timestamp": "2026-11-24T12:00:00Z"}]
                """)
            let audit = try await client.send(.post, "/api/audit", encoding: [
                makeAuditRecord(time: "2019-01-01T00:00:00.000Z"), makeAuditRecord(time: "2026-11-24T00:00:00.000Z"),
            ])
            #expect(audit.json["stored"]?.int == 2)

            let now = try #require(UTCTimestamp.parse("2026-11-25T12:00:00Z"))
            let deleted = try await harness.store.prune(
                LogRetention(maxAgeDays: 30, maxLogRows: nil),
                now: Date(timeIntervalSince1970: Double(now.milliseconds) / 1000))
            #expect(deleted == 2)
            let remaining = try await client.get("/api/logs")
            #expect((remaining["logs"]?.array ?? []).compactMap { $0["message"]?.string } == ["yesterday"])
            #expect(try await client.get("/api/logs?search=ancient")["total"]?.int == 0)
            #expect(try await client.get("/api/audit")["total"]?.int == 2)
            #expect(try await client.get("/api/audit/verify")["ok"]?.bool == true)
        }
    }

    @Test func pruneBySizeDropsTheOldestFirst() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            // Sent out of order: what counts is the timestamp, not the arrival.
            let days = [3, 1, 5, 2, 4]
            try await client.postLogs("[" + days.map {
                #"{"level": "INFO", "message": "day \#($0)", "timestamp": "2026-01-0\#($0)T00:00:00Z"}"#
            }.joined(separator: ",") + "]")
            let deleted = try await harness.store.prune(LogRetention(maxAgeDays: nil, maxLogRows: 3))
            #expect(deleted == 2)
            let listing = try await client.get("/api/logs?sort_direction=asc")
            #expect((listing["logs"]?.array ?? []).compactMap { $0["message"]?.string } == ["day 3", "day 4", "day 5"])
            #expect(try await harness.store.prune(LogRetention(maxAgeDays: nil, maxLogRows: 3)) == 0)
        }
    }

    @Test func theServerPrunesAtStart() async throws {
        let seed = try Harness()
        try await seed.run { client async throws in
            try await client.postLogs("""
                [{"level": "INFO", "message": "old", "timestamp": "2001-01-01T00:00:00Z"},
                 {"level": "INFO", "message": "new"}]
                """)
        }
        var configuration = seed.configuration
        configuration.retention = LogRetention(maxAgeDays: 7, maxLogRows: nil, interval: .seconds(3600))
        let app = buildLogLamaApplication(configuration: configuration, store: seed.store)
        try await app.test(.live) { client async throws in
            var messages: [String] = []
            for _ in 0..<100 {
                messages = (try await client.get("/api/logs")["logs"]?.array ?? []).compactMap { $0["message"]?.string }
                if messages == ["new"] { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(messages == ["new"])
        }
    }

    @Test func storeCreatesItsDirectory() async throws {
        let harness = try Harness()
        let store = try LogLamaStore(path: "\(harness.directory)/state/loglama/loglama.db")
        #expect(try await store.prune(.unlimited) == 0)
        #expect(FileManager.default.fileExists(atPath: "\(harness.directory)/state/loglama/loglama.db"))
    }
}
