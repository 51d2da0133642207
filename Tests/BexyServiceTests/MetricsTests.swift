import AsyncHTTPClient
import TestSupport
import Testing

extension ScriptedServiceTests {
    /// `GET /metrics`: what this server ran, by status, and its load, in the Prometheus text format.
    @Suite struct Metrics {
        private static func scrape(_ server: LiveBexy, headers: [(String, String)] = Harness.authorized)
            async throws -> (status: Int, text: String, contentType: String?) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/metrics")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await server.client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), text, response.headers.first(name: "Content-Type"))
        }

        @Test func countsOutcomesByStatusAndReportsTheLoad() async throws {
            let exits3 = ScriptedJob([], status: .runtimeError, exitCode: 3)
            try await LiveBexy.run(slots: 2, script: scripts(["raise SystemExit(3)": exits3])) { server in
                for code in ["print(1)", "print(2)", "raise SystemExit(3)"] {
                    #expect(try await server.execute(json(["code": code])).status == 200)
                }
                #expect(try await server.execute(json(["code": 1])).status == 400)  // refused: never counted

                let metrics = try await Self.scrape(server)
                #expect(metrics.status == 200)
                #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
                let lines = Set(metrics.text.split(separator: "\n").map(String.init))
                #expect(lines.contains(#"bexy_executions_total{status="ok"} 2"#), "\(metrics.text)")
                #expect(lines.contains(#"bexy_executions_total{status="runtime_error"} 1"#))
                #expect(lines.contains(#"bexy_executions_total{status="timeout"} 0"#))
                #expect(lines.contains("bexy_execution_duration_seconds_count 3"))
                #expect(lines.contains("bexy_slots 2.0") || lines.contains("bexy_slots 2"), "\(metrics.text)")
                #expect(lines.contains("bexy_running 0.0") || lines.contains("bexy_running 0"))

                #expect(try await Self.scrape(server, headers: []).status == 401)
            }
        }
    }
}
