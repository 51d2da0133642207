import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import Testing

@testable import LogLama

/// With the ecosystem's internal token configured, LogLama answers only callers that present it.
@Suite struct InternalTokenTests {
    @Test func everyRouteButHealthAndThePageNeedsTheToken() async throws {
        let harness = try Harness()
        var configuration = harness.configuration
        configuration.internalToken = "int_secret"
        let app = buildLogLamaApplication(configuration: configuration, store: harness.store)
        try await app.test(.live) { client in
            let denied = try await client.send(.get, "/api/logs")
            #expect(denied.status == .unauthorized)
            #expect(denied.json["error"]?["code"] == "unauthorized")
            let wrong = try await client.send(.post, "/api/audit", body: "[]", headers: [.authorization: "Bearer int_nope"])
            #expect(wrong.status == .unauthorized)

            let allowed = try await client.send(.get, "/api/logs", headers: [.authorization: "Bearer int_secret"])
            #expect(allowed.status == .ok, "\(allowed.json)")
            #expect(try await client.send(.get, "/health").status == .ok)
        }
    }
}
