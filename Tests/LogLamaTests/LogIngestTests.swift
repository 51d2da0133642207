import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import ServiceKit
import Testing

@testable import LogLama

@Suite("POST /api/logs") struct LogIngestTests {
    @Test func singleRecordIsNormalized() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let accepted = try await client.postLogs("""
                {"level": "info", "message": "hello", "component": "svc",
                 "timestamp": "2026-11-25T09:30:00.5+01:00", "context": {"user": "ann", "n": 3, "tags": ["a"]},
                 "request_id": "req-7", "line_number": 12, "thread_name": "main", "unknown_key": true}
                """)
            #expect(accepted == 1)
            let listing = try await client.get("/api/logs")
            let entry = try #require(listing["logs"]?[0])
            #expect(entry["level"]?.string == "INFO")
            #expect(entry["level_number"]?.int == 20)
            #expect(entry["logger_name"]?.string == "svc")
            #expect(entry["message"]?.string == "hello")
            #expect(entry["timestamp"]?.string == "2026-11-25T08:30:00.500Z")
            #expect(entry["context"] == .object(["user": .string("ann"), "n": .integer(3), "tags": .array([.string("a")])]))
            #expect(entry["request_id"]?.string == "req-7")
            #expect(entry["line_number"]?.int == 12)
            #expect(entry["thread_name"]?.string == "main")
            #expect(entry["file_path"]?.isNull == true)
            #expect(entry["exception_info"]?.isNull == true)
        }
    }

    @Test func defaultsForOptionalFields() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(#"{"level": "WARN", "message": "no timestamp"}"#)
            let entry = try #require(try await client.get("/api/logs")["logs"]?[0])
            #expect(entry["level"]?.string == "WARNING")
            #expect(entry["level_number"]?.int == 30)
            #expect(entry["logger_name"]?.string == "root")
            #expect(entry["context"] == .object([:]))
            let timestamp = try #require(entry["timestamp"]?.string)
            let parsed = try #require(UTCTimestamp.parse(timestamp))
            #expect(abs(parsed.milliseconds - UTCTimestamp.nowMilliseconds()) < 60_000)
            #expect(UTCTimestamp.normalize(timestamp) == timestamp)
        }
    }

    @Test func batchesAsObjectAndAsArray() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let batch = (1...3).map { #"{"level": "debug", "message": "m\#($0)", "logger_name": "batch"}"# }
            #expect(try await client.postLogs(#"{"logs": [\#(batch.joined(separator: ","))]}"#) == 3)
            #expect(try await client.postLogs("[\(batch.joined(separator: ","))]") == 3)
            #expect(try await client.postLogs(#"{"logs": []}"#) == 0)
            #expect(try await client.postLogs(#"{"level": "critical", "message": "x", "timestamp": 1767225600.25}"#) == 1)
            let listing = try await client.get("/api/logs?component=batch")
            #expect(listing["total"]?.int == 6)
            let numeric = try await client.get("/api/logs?level=CRITICAL")
            #expect(numeric["logs"]?[0]?["timestamp"]?.string == "2026-01-01T00:00:00.250Z")
        }
    }

    @Test func missingAndInvalidFieldsAreNamed() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let cases: [(body: String, field: String, code: String)] = [
                (#"{"message": "no level"}"#, "level", "missing_field"),
                (#"{"level": null, "message": "null level"}"#, "level", "missing_field"),
                (#"{"level": "INFO"}"#, "message", "missing_field"),
                (#"{"level": "LOUD", "message": "x"}"#, "level", "invalid_field"),
                (#"{"level": 20, "message": "x"}"#, "level", "invalid_field"),
                (#"{"level": "INFO", "message": ["x"]}"#, "message", "invalid_field"),
                (#"{"level": "INFO", "message": "x", "context": [1, 2]}"#, "context", "invalid_field"),
                (#"{"level": "INFO", "message": "x", "context": "text"}"#, "context", "invalid_field"),
                (#"{"level": "INFO", "message": "x", "timestamp": "yesterday"}"#, "timestamp", "invalid_field"),
                (#"{"level": "INFO", "message": "x", "timestamp": "2026-02-30T00:00:00Z"}"#, "timestamp", "invalid_field"),
                (#"{"level": "INFO", "message": "x", "line_number": "twelve"}"#, "line_number", "invalid_field"),
                (#"{"logs": [{"level": "INFO", "message": "ok"}, {"level": "INFO"}]}"#, "logs[1].message", "missing_field"),
                (#"[{"level": "INFO", "message": "ok"}, {"level": true, "message": "x"}]"#, "logs[1].level", "invalid_field"),
                (#"{"logs": [42]}"#, "logs[0]", "invalid_field"),
                (#"{"logs": {"level": "INFO"}}"#, "logs", "invalid_field"),
            ]
            for (body, field, code) in cases {
                let reply = try await client.send(.post, "/api/logs", body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json["status"]?.string == "error", "\(body)")
                #expect(reply.json.errorField == field, "\(body): \(reply.json)")
                #expect(reply.json.errorCode == code, "\(body): \(reply.json)")
                #expect(reply.json["error"]?["message"]?.string?.contains(field) == true, "\(body): \(reply.json)")
            }
            // A rejected batch stores nothing.
            #expect(try await client.get("/api/logs")["total"]?.int == 0)
        }
    }

    @Test func malformedJSONIsA400() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            for body in [#"{"level": "INFO", "message": "#, "not json", "", "{'level': 'INFO'}"] {
                let reply = try await client.send(.post, "/api/logs", body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.errorCode == "invalid_json", "\(body): \(reply.json)")
            }
            for body in ["42", #""text""#, "null"] {
                let reply = try await client.send(.post, "/api/logs", body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.errorCode == "invalid_body", "\(body): \(reply.json)")
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        let harness = try Harness(maxBodyBytes: 4096)
        try await harness.run { client async throws in
            let small = #"{"level": "INFO", "message": "\#(String(repeating: "a", count: 3000))"}"#
            #expect(try await client.postLogs(small) == 1)
            let large = #"{"level": "INFO", "message": "\#(String(repeating: "a", count: 100_000))"}"#
            let reply = try await client.send(.post, "/api/logs", body: large)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.json.errorCode == "payload_too_large")
            let audit = try await client.send(.post, "/api/audit", body: "[" + String(repeating: " ", count: 10_000) + "]")
            #expect(audit.status == .contentTooLarge)
            // The connection and the server still work afterwards.
            #expect(try await client.get("/api/logs")["total"]?.int == 1)
        }
    }

    @Test func errorsCarryTheRequestID() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let reply = try await client.send(.post, "/api/logs", body: #"{"message": "x"}"#,
                                              headers: [RequestIdentifier.header: "trace-42"])
            #expect(reply.json["request_id"]?.string == "trace-42")
            #expect(reply.headers[RequestIdentifier.header] == "trace-42")
            let generated = try await client.send(.get, "/api/nowhere")
            #expect(generated.status == .notFound)
            #expect(generated.json.errorCode == "not_found")
            let id = try #require(generated.json["request_id"]?.string)
            #expect(!id.isEmpty)
            #expect(generated.headers[RequestIdentifier.header] == id)
        }
    }

    @Test func health() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let health = try await client.get("/health")
            #expect(health["status"]?.string == "healthy")
            #expect(health["service"]?.string == "loglama")
            #expect(health["version"]?.string == LogLamaService.version)
        }
    }
}
