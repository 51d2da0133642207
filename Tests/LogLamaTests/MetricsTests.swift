import Hummingbird
import HummingbirdTesting
import Testing

@testable import LogLama

@Suite("GET /metrics") struct MetricsTests {
    @Test func countsWhatWasIngested() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs("""
                {"logs": [{"level": "INFO", "message": "a"}, {"level": "info", "message": "b"},
                          {"level": "ERROR", "message": "c"}]}
                """)
            try await client.postLogs(#"{"level": "WARN", "message": "d"}"#)
            let refused = try await client.send(.post, "/api/logs", body: #"{"level": "LOUD", "message": "e"}"#)
            #expect(refused.status == .badRequest)
            // One batch of two, then one that repeats the first record next to a new one: the store must tell
            // which of the second batch's records it stored.
            let first = makeAuditRecord(status: .ok)
            let timedOut = makeAuditRecord(status: .timeout)
            let oom = makeAuditRecord(status: .memoryLimit)
            _ = try await client.send(.post, "/api/audit", encoding: [first, timedOut])
            let mixed = try await client.send(.post, "/api/audit", encoding: [first, oom])
            #expect(mixed.json["stored"]?.int == 1 && mixed.json["duplicates"]?.int == 1)

            let metrics = try await client.scrapeMetrics()
            for (level, count) in ["DEBUG": 0.0, "INFO": 2, "WARNING": 1, "ERROR": 1, "CRITICAL": 0] {
                #expect(metrics[#"loglama_logs_ingested_total{level="\#(level)"}"#] == count, "\(level)")
                #expect(metrics[#"loglama_stored_logs{level="\#(level)"}"#] == count, "\(level)")
            }
            for (status, count) in ["ok": 1.0, "timeout": 1, "memory_limit": 1, "runtime_error": 0] {
                #expect(metrics[#"loglama_audit_records_stored_total{status="\#(status)"}"#] == count, "\(status)")
                #expect(metrics[#"loglama_stored_audit_records{status="\#(status)"}"#] == count, "\(status)")
            }
            #expect(metrics["loglama_audit_duplicates_total"] == 1)
            // The refused log batch is no ingest: two batches of each kind.
            for kind in ["logs", "audit"] {
                #expect(metrics[#"loglama_ingest_duration_seconds_count{kind="\#(kind)"}"#] == 2, "\(kind)")
                #expect(metrics[#"loglama_ingest_duration_seconds_bucket{kind="\#(kind)",le="+Inf"}"#] == 2)
                #expect((metrics[#"loglama_ingest_duration_seconds_sum{kind="\#(kind)"}"#] ?? 0) > 0)
            }
            let posts = #"loglama_http_requests_total{method="POST",route="/api/logs","#
            #expect(metrics[posts + #"status="201"}"#] == 2)
            #expect(metrics[posts + #"status="400"}"#] == 1)
            #expect(metrics[#"loglama_http_request_duration_seconds_count{method="POST",route="/api/audit",status="200"}"#] == 2)
            #expect(metrics.types["loglama_logs_ingested_total"] == "counter")
            #expect(metrics.types["loglama_ingest_duration_seconds"] == "histogram")
            #expect(metrics.types["loglama_stored_logs"] == "gauge")
        }
    }

    @Test func routesArePatternsAndUnmatchedRequestsCountAsNotFound() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(#"{"level": "INFO", "message": "a"}"#)
            _ = try await client.get("/api/log/1")
            #expect(try await client.send(.get, "/api/log/99").status == .notFound)
            #expect(try await client.send(.get, "/no/such/route").status == .notFound)
            let metrics = try await client.scrapeMetrics()
            #expect(metrics[#"loglama_http_requests_total{method="GET",route="/api/log/{id}",status="200"}"#] == 1)
            #expect(metrics[#"loglama_http_requests_total{method="GET",route="/api/log/{id}",status="404"}"#] == 1)
            #expect(metrics[#"loglama_http_requests_total{method="GET",route="NotFound",status="404"}"#] == 1)
        }
    }

    @Test func storedGaugesReadTheDatabaseAfterARestart() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(#"[{"level": "DEBUG", "message": "a"}, {"level": "CRITICAL", "message": "b"}]"#)
            _ = try await client.send(.post, "/api/audit", encoding: [makeAuditRecord(status: .signaled)])
        }
        // A new server over the same database: nothing ingested since it started, everything still stored.
        try await harness.run { client async throws in
            var metrics = try await client.scrapeMetrics()
            #expect(metrics[#"loglama_logs_ingested_total{level="DEBUG"}"#] == 0)
            #expect(metrics[#"loglama_audit_records_stored_total{status="signaled"}"#] == 0)
            #expect(metrics[#"loglama_ingest_duration_seconds_count{kind="logs"}"#] == 0)
            #expect(metrics[#"loglama_stored_logs{level="DEBUG"}"#] == 1)
            #expect(metrics[#"loglama_stored_logs{level="CRITICAL"}"#] == 1)
            #expect(metrics[#"loglama_stored_audit_records{status="signaled"}"#] == 1)
            // A clear is seen at the next scrape.
            _ = try await client.send(.post, "/api/logs/clear", body: #"{"level": "DEBUG"}"#)
            metrics = try await client.scrapeMetrics()
            #expect(metrics[#"loglama_stored_logs{level="DEBUG"}"#] == 0)
            #expect(metrics[#"loglama_stored_logs{level="CRITICAL"}"#] == 1)
        }
    }

    @Test func twoServersInOneProcessCountApart() async throws {
        let busy = try Harness()
        let idle = try Harness()
        try await busy.run { busyClient async throws in
            try await idle.run { idleClient async throws in
                try await busyClient.postLogs(#"[{"level": "ERROR", "message": "a"}, {"level": "ERROR", "message": "b"}]"#)
                _ = try await busyClient.send(.post, "/api/audit", encoding: [makeAuditRecord()])
                let busyMetrics = try await busyClient.scrapeMetrics()
                let idleMetrics = try await idleClient.scrapeMetrics()
                #expect(busyMetrics[#"loglama_logs_ingested_total{level="ERROR"}"#] == 2)
                #expect(idleMetrics[#"loglama_logs_ingested_total{level="ERROR"}"#] == 0)
                #expect(busyMetrics[#"loglama_audit_records_stored_total{status="ok"}"#] == 1)
                #expect(idleMetrics[#"loglama_audit_records_stored_total{status="ok"}"#] == 0)
                #expect(idleMetrics[#"loglama_ingest_duration_seconds_count{kind="logs"}"#] == 0)
                #expect(idleMetrics[#"loglama_http_requests_total{method="POST",route="/api/logs",status="201"}"#] == nil)
            }
        }
    }
}

/// A scraped `/metrics` body: each sample's value by its series as written (`name{label="value",...}`), and each
/// metric's declared type.
struct Exposition {
    var samples: [String: Double] = [:]
    var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let words = line.split(separator: " ")
                types[String(words[2])] = String(words[3])
            } else if !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    throw HarnessError("not a sample line: \(line)")
                }
                samples[String(line[..<space])] = value
            }
        }
    }

    subscript(series: String) -> Double? { samples[series] }
}

extension TestClientProtocol {
    /// `GET /metrics`, expecting 200 in the Prometheus text format.
    func scrapeMetrics(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Exposition {
        let response = try await execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8",
                sourceLocation: sourceLocation)
        return try Exposition(String(buffer: response.body))
    }
}
