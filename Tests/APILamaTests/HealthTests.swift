import TestSupport
import Testing

/// `/health` and `/api/health` against live upstreams.
@Suite struct HealthTests {
    @Test func apiHealthReportsEachRoutedServiceLive() async throws {
        try await withLogLama { logLamaPort in
            try await withGateway(upstreams: ["loglama": logLamaPort]) { gateway in
                let own = try await gateway.send(.GET, "/health")
                #expect(own.json?.member("status")?.text == "healthy")
                #expect(own.json?.member("service")?.text == "apilama")

                let reply = try await gateway.send(.GET, "/api/health")
                #expect(reply.status == 200, "\(reply.text)")
                let json = try #require(reply.json)
                #expect(json.member("status")?.text == "degraded")
                let services = json.member("services")?.elements ?? []
                #expect(services.compactMap { $0.member("name")?.text } == ["bexy", "loglama", "shellama", "pyllm", "pylama"])
                let logLama = try #require(services.first { $0.member("name")?.text == "loglama" })
                #expect(logLama.member("active")?.boolean == true)
                #expect(logLama.member("http_status")?.integer == 200)
                #expect(logLama.member("latency_ms") != nil)
                #expect(logLama.member("route")?.text == "/api/loglama")
                let bexy = try #require(services.first { $0.member("name")?.text == "bexy" })
                #expect(bexy.member("active")?.boolean == false)
                #expect(bexy.member("error")?.text == "connection refused", "\(reply.text)")
            }
        }
    }

    @Test func apiHealthIsHealthyWhenEveryServiceIs() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { port in
            let all = Dictionary(uniqueKeysWithValues: ["bexy", "loglama", "shellama", "getllm", "pylama"].map { ($0, port) })
            try await withGateway(upstreams: all) { gateway in
                let reply = try await gateway.send(.GET, "/api/health")
                #expect(reply.json?.member("status")?.text == "healthy", "\(reply.text)")
            }
        }
    }
}
