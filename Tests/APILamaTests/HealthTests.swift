import TestSupport
import Testing

/// `/health` and `/api/health` against live upstreams.
@Suite struct HealthTests {
    @Test func apiHealthReportsEachRoutedServiceLive() async throws {
        try await withLogLama { logLamaPort in
            try await withGateway(upstreams: ["loglama": logLamaPort]) { gateway in
                let own = try await gateway.send(.GET, "/health")
                #expect(own.json?["status"]?.string == "healthy")
                #expect(own.json?["service"]?.string == "apilama")

                let reply = try await gateway.send(.GET, "/api/health")
                #expect(reply.status == 200, "\(reply.text)")
                let json = try #require(reply.json)
                #expect(json["status"]?.string == "degraded")
                let services = json["services"]?.array ?? []
                #expect(services.compactMap { $0["name"]?.string }
                        == ["bexy", "loglama", "shellama", "pyllm", "pylama", "weblama"])
                let logLama = try #require(services.first { $0["name"]?.string == "loglama" })
                #expect(logLama["active"]?.bool == true)
                #expect(logLama["http_status"]?.int == 200)
                #expect(logLama["latency_ms"] != nil)
                #expect(logLama["route"]?.string == "/api/loglama")
                let bexy = try #require(services.first { $0["name"]?.string == "bexy" })
                #expect(bexy["active"]?.bool == false)
                #expect(bexy["error"]?.string == "connection refused", "\(reply.text)")
            }
        }
    }

    @Test func apiHealthIsHealthyWhenEveryServiceIs() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { port in
            let all = Dictionary(uniqueKeysWithValues: ["bexy", "loglama", "shellama", "getllm", "pylama", "web"].map { ($0, port) })
            try await withGateway(upstreams: all) { gateway in
                let reply = try await gateway.send(.GET, "/api/health")
                #expect(reply.json?["status"]?.string == "healthy", "\(reply.text)")
            }
        }
    }
}
