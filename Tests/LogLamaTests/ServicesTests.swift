import Contracts
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import ServiceKit
import TestSupport
import Testing

@testable import LogLama

@Suite("GET /api/services") struct ServicesTests {
    @Test func listsEveryServiceWithALiveHealthCheck() async throws {
        try await withLogLama { livePort in
            try await withUnhealthyServer { unhealthyPort in
                let harness = try Harness()
                var configuration = harness.configuration
                configuration.services = [
                    "loglama": "http://127.0.0.1:\(livePort)",
                    "bexy": "http://127.0.0.1:\(refusedPort())/",
                    "pyllm": "http://127.0.0.1:\(unhealthyPort)",
                    "shellama": "http://127.0.0.1:\(refusedPort())",
                    "pylama": "http://127.0.0.1:\(refusedPort())",
                    "apilama": "http://127.0.0.1:\(refusedPort())",
                    // weblama: no URL configured
                ]
                // The live LogLama must answer within the check even while other suites load both cores.
                configuration.serviceCheckTimeout = .seconds(10)
                let app = buildLogLamaApplication(configuration: configuration, store: harness.store)
                try await app.test(.live) { client async throws in
                    let services = try await client.get("/api/services")["services"]?.array ?? []
                    #expect(services.compactMap { $0["name"]?.string } == Ecosystem.services.map(\.name))
                    let keys: Set = ["name", "description", "default_port", "port", "url", "active", "latency_ms", "error"]
                    for service in services { #expect(service.keys == keys, "\(service)") }
                    for (service, descriptor) in zip(services, Ecosystem.services) {
                        #expect(service["default_port"]?.int == descriptor.defaultPort)
                        #expect(service["description"]?.string == descriptor.description)
                    }
                    let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"]?.string ?? "", $0) })

                    let live = try #require(byName["loglama"])
                    #expect(live["active"]?.bool == true)
                    #expect(live["url"]?.string == "http://127.0.0.1:\(livePort)")
                    #expect(live["port"]?.int == livePort)
                    #expect((live["latency_ms"]?.number ?? -1) >= 0)
                    #expect(live["error"]?.isNull == true)

                    let closed = try #require(byName["bexy"])
                    #expect(closed["active"]?.bool == false)
                    #expect(closed["url"]?.string?.hasSuffix("/") == false)
                    #expect(closed["latency_ms"]?.isNull == true)
                    #expect(closed["error"]?.string == "connection refused")

                    let unhealthy = try #require(byName["pyllm"])
                    #expect(unhealthy["active"]?.bool == false)
                    #expect(unhealthy["port"]?.int == unhealthyPort)
                    #expect(unhealthy["error"]?.string == "GET /health answered 503")
                    #expect(unhealthy["latency_ms"]?.number != nil)

                    let unconfigured = try #require(byName["weblama"])
                    #expect(unconfigured["active"]?.bool == false)
                    #expect(unconfigured["url"]?.isNull == true)
                    #expect(unconfigured["port"]?.isNull == true)
                    #expect(unconfigured["error"]?.string?.contains("WEBLAMA_URL") == true)
                }
            }
        }
    }

    @Test func urlsDefaultToTheEcosystemConfiguration() {
        let configuration = LogLamaConfiguration(databasePath: "unused.db")
        #expect(configuration.services.count == Ecosystem.services.count)
        #expect(configuration.services["loglama"] == "http://127.0.0.1:5000")
        #expect(configuration.services["weblama"] == "http://127.0.0.1:8081")
        let loaded = LogLamaConfiguration.serviceURLs(from: ["BEXY_URL": "http://bexy.example:9000", "OTHER_URL": "x"])
        #expect(loaded == ["bexy": "http://bexy.example:9000"])
    }
}

/// Runs a loopback HTTP server whose `GET /health` answers 503 for `body`, which gets its port.
private func withUnhealthyServer(_ body: @Sendable (Int) async throws -> Void) async throws {
    let router = Router()
    router.get("/health") { _, _ in Response(status: .serviceUnavailable) }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client async throws in try await body(try #require(client.port)) }
}

extension JSONValue {
    /// A JSON number, integer or not.
    fileprivate var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
