import Contracts
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import Testing

@testable import LogLama

/// Five logs, one per level, over five days and three components.
private let fixture = """
    {"logs": [
      {"timestamp": "2026-01-01T10:00:00Z", "level": "DEBUG", "logger_name": "app.db", "message": "connecting to database"},
      {"timestamp": "2026-01-02T11:00:00Z", "level": "INFO", "logger_name": "app.web", "message": "request served",
       "context": {"path": "/x"}, "request_id": "r-1"},
      {"timestamp": "2026-01-03T12:00:00Z", "level": "WARNING", "logger_name": "app.db", "message": "slow query detected"},
      {"timestamp": "2026-01-04T13:00:00Z", "level": "ERROR", "logger_name": "app.web", "message": "connection reset by peer"},
      {"timestamp": "2026-01-05T14:00:00Z", "level": "CRITICAL", "logger_name": "worker", "message": "disk full (100%)"}
    ]}
    """

private func messages(_ listing: JSONValue) -> [String] {
    (listing["logs"]?.array ?? []).compactMap { $0["message"]?.string }
}

@Suite("GET /api/logs and friends") struct LogQueryTests {
    @Test func filters() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            #expect(try await client.postLogs(fixture) == 5)
            func total(_ query: String) async throws -> Int? { try await client.get("/api/logs?\(query)")["total"]?.int }

            #expect(try await total("") == 5)
            #expect(try await messages(client.get("/api/logs?level=ERROR")) == ["connection reset by peer"])
            #expect(try await messages(client.get("/api/logs?level=warn")) == ["slow query detected"])
            #expect(try await total("component=app.db") == 2)
            #expect(try await total("logger_name=app.web") == 2)
            #expect(try await total("component=nobody") == 0)
            // Full-text search: word prefixes in the message or the logger name, every word required.
            #expect(try await Set(messages(client.get("/api/logs?search=connect")))
                    == ["connecting to database", "connection reset by peer"])
            #expect(try await messages(client.get("/api/logs?search=reset+peer")) == ["connection reset by peer"])
            #expect(try await total("search=worker") == 1)
            #expect(try await total("search=app.web") == 2)
            #expect(try await total("search=nothing-like-this") == 0)
            // FTS syntax in user input is never interpreted; punctuation-only input falls back to a substring scan.
            #expect(try await total("search=%22unbalanced") == 0)
            #expect(try await total("search=AND%20OR%20NOT") == 0)
            #expect(try await total("search=(100%25)") == 1)
            // Date range: a bare end date includes its whole day.
            #expect(try await total("start_date=2026-01-03") == 3)
            #expect(try await total("end_date=2026-01-02") == 2)
            #expect(try await total("start_date=2026-01-02T00:00:00Z&end_date=2026-01-04T00:00:00Z") == 2)
            #expect(try await total("start_date=2026-01-03T13:00:00%2B01:00") == 3)  // 12:00 UTC, inclusive
            // Filters combine.
            #expect(try await total("component=app.web&level=INFO&start_date=2026-01-02") == 1)
        }
    }

    @Test func badParametersAreNamed() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let cases = [
                ("level=LOUD", "level"), ("start_date=last-week", "start_date"), ("end_date=2026-13-01", "end_date"),
                ("sort_by=color", "sort_by"), ("sort_direction=up", "sort_direction"), ("page=0", "page"),
                ("page=two", "page"), ("page_size=0", "page_size"), ("page_size=-5", "page_size"),
            ]
            for (query, field) in cases {
                let reply = try await client.send(.get, "/api/logs?\(query)")
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.json.errorField == field, "\(query): \(reply.json)")
                #expect(reply.json.errorCode == "invalid_parameter", "\(query): \(reply.json)")
            }
            let stats = try await client.send(.get, "/api/stats?level=nope")
            #expect(stats.status == .badRequest)
            #expect(stats.json.errorField == "level")
        }
    }

    @Test func paginationAlwaysHasAPage() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let empty = try await client.get("/api/logs")
            #expect(empty["logs"]?.array.isEmpty == true)
            #expect(empty["page"]?.int == 1)
            #expect(empty["pages"]?.int == 1)
            #expect(empty["page_size"]?.int == 100)
            #expect(empty["total"]?.int == 0)

            try await client.postLogs(fixture)
            let first = try await client.get("/api/logs?page_size=2&sort_direction=asc")
            #expect(first["pages"]?.int == 3)
            #expect(first["total"]?.int == 5)
            #expect(messages(first) == ["connecting to database", "request served"])
            let last = try await client.get("/api/logs?page_size=2&page=3&sort_direction=asc")
            #expect(messages(last) == ["disk full (100%)"])
            #expect(last["page"]?.int == 3)
            let beyond = try await client.get("/api/logs?page_size=2&page=9")
            #expect(beyond["logs"]?.array.isEmpty == true)
            #expect(beyond["pages"]?.int == 3)
            let capped = try await client.get("/api/logs?page_size=5000")
            #expect(capped["page_size"]?.int == 1000)
        }
    }

    @Test func sorting() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(fixture)
            #expect(try await messages(client.get("/api/logs")).first == "disk full (100%)")  // newest first
            #expect(try await messages(client.get("/api/logs?sort_direction=asc")).first == "connecting to database")
            let byLevel = try await client.get("/api/logs?sort_by=level&sort_direction=asc")
            #expect((byLevel["logs"]?.array ?? []).compactMap { $0["level"]?.string }
                    == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
            let byNumber = try await client.get("/api/logs?sort_by=level_number&sort_direction=desc")
            #expect(byNumber["logs"]?[0]?["level"]?.string == "CRITICAL")
            #expect(try await messages(client.get("/api/logs?sort_by=message&sort_direction=asc"))
                    == ["connecting to database", "connection reset by peer", "disk full (100%)", "request served",
                        "slow query detected"])
            let byLogger = try await client.get("/api/logs?sort_by=logger_name&sort_direction=desc")
            #expect(byLogger["logs"]?[0]?["logger_name"]?.string == "worker")
            let byTime = try await client.get("/api/logs?sort_by=timestamp&sort_direction=ASC")
            #expect(byTime["logs"]?[0]?["timestamp"]?.string == "2026-01-01T10:00:00.000Z")
        }
    }

    @Test func statsLevelsAndComponents() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let empty = try await client.get("/api/stats")
            #expect(empty["total"]?.int == 0)
            #expect(empty["date_range"]?["min_date"]?.isNull == true)
            #expect(empty["level_counts"] == .object([:]))

            try await client.postLogs(fixture)
            try await client.postLogs(#"{"level": "INFO", "message": "again", "logger_name": "app.web", "timestamp": "2026-01-02T12:00:00Z"}"#)
            let stats = try await client.get("/api/stats")
            #expect(stats["total"]?.int == 6)
            #expect(stats["level_counts"] == .object([
                "DEBUG": .integer(1), "INFO": .integer(2), "WARNING": .integer(1), "ERROR": .integer(1),
                "CRITICAL": .integer(1),
            ]))
            #expect(stats["component_counts"] == .object(["app.db": .integer(2), "app.web": .integer(3), "worker": .integer(1)]))
            #expect(stats["date_range"]?["min_date"]?.string == "2026-01-01T10:00:00.000Z")
            #expect(stats["date_range"]?["max_date"]?.string == "2026-01-05T14:00:00.000Z")
            let filtered = try await client.get("/api/stats?component=app.web")
            #expect(filtered["total"]?.int == 3)

            #expect(try await client.get("/api/levels") == .array(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].map { .string($0) }))
            #expect(try await client.get("/api/components") == .array(["app.db", "app.web", "worker"].map { .string($0) }))
        }
    }

    @Test func logByID() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(fixture)
            let listing = try await client.get("/api/logs?search=served")
            let id = try #require(listing["logs"]?[0]?["id"]?.int)
            let entry = try await client.get("/api/log/\(id)")
            #expect(entry["id"]?.int == id)
            #expect(entry["message"]?.string == "request served")
            #expect(entry["context"]?["path"]?.string == "/x")
            #expect(entry["request_id"]?.string == "r-1")

            let missing = try await client.send(.get, "/api/log/999999")
            #expect(missing.status == .notFound)
            #expect(missing.json.errorCode == "not_found")
            let bad = try await client.send(.get, "/api/log/abc")
            #expect(bad.status == .badRequest)
            #expect(bad.json.errorField == "id")
        }
    }

    @Test func clearWithFilters() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(fixture)
            func clear(_ query: String = "", body: String? = nil) async throws -> Int? {
                let reply = try await client.send(.post, "/api/logs/clear\(query)", body: body)
                #expect(reply.status == .ok, "\(reply.json)")
                #expect(reply.json["status"]?.string == "ok")
                return reply.json["deleted"]?.int
            }
            #expect(try await clear("?level=DEBUG") == 1)
            #expect(try await clear(body: #"{"component": "app.web"}"#) == 2)
            #expect(try await clear("?before=2026-01-04") == 1)  // the WARNING of Jan 3
            #expect(try await messages(client.get("/api/logs")) == ["disk full (100%)"])
            #expect(try await client.get("/api/logs?search=disk")["total"]?.int == 1)  // the text index kept up

            let bad = try await client.send(.post, "/api/logs/clear?before=soon")
            #expect(bad.status == .badRequest)
            #expect(bad.json.errorField == "before")
            let badBody = try await client.send(.post, "/api/logs/clear", body: #"{"level": 5}"#)
            #expect(badBody.status == .badRequest)
            #expect(badBody.json.errorField == "level")

            #expect(try await clear() == 1)
            #expect(try await client.get("/api/logs")["total"]?.int == 0)
            #expect(try await client.get("/api/logs?search=disk")["total"]?.int == 0)
        }
    }
}
