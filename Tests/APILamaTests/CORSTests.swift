import Testing

/// Cross-origin access: the allowlist, credentials, never `*`.
@Suite struct CORSTests {
    @Test func aPreflightFromAnAllowedOriginIsAnswered() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.send(.OPTIONS, "/api/bexy/execute",
                                               headers: [("Origin", "http://localhost:8081"),
                                                         ("Access-Control-Request-Method", "POST"),
                                                         ("Access-Control-Request-Headers", "content-type")])
            #expect(reply.status == 204, "\(reply.text)")
            #expect(reply.header("Access-Control-Allow-Origin") == "http://localhost:8081")
            #expect(reply.header("Access-Control-Allow-Credentials") == "true")
            #expect(reply.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(reply.header("Access-Control-Allow-Headers")?.contains("Content-Type") == true)
            #expect(reply.headers["Vary"].contains("Origin"))
        }
    }

    @Test func aPreflightFromAnyOtherOriginIsRefusedWithoutCORSHeaders() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.send(.OPTIONS, "/api/bexy/execute",
                                               headers: [("Origin", "https://evil.example"),
                                                         ("Access-Control-Request-Method", "POST")])
            expectEnvelope(reply, status: 403, code: "origin_not_allowed")
            #expect(reply.header("Access-Control-Allow-Origin") == nil)
            #expect(reply.header("Access-Control-Allow-Credentials") == nil)
        }
    }

    @Test func responsesEchoAnAllowedOriginAndNeverAStar() async throws {
        try await withGateway(configure: { $0.corsOrigins = ["https://ide.example"] }) { gateway in
            let allowed = try await gateway.send(.GET, "/api/tokens", headers: [("Origin", "https://ide.example")])
            // Errors carry CORS headers too, so the page can read the envelope.
            expectEnvelope(allowed, status: 401, code: "unauthorized")
            #expect(allowed.header("Access-Control-Allow-Origin") == "https://ide.example")
            #expect(allowed.header("Access-Control-Expose-Headers")?.contains("X-Request-ID") == true)

            let other = try await gateway.send(.GET, "/health", headers: [("Origin", "http://localhost:8081")])
            #expect(other.status == 200)
            #expect(other.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
