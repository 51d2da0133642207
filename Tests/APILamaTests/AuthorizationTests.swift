import APILama
import TestSupport
import ServiceHTTP
import Testing

/// Tokens, roles and rate limits, over HTTP.
@Suite struct AuthorizationTests {
    @Test func missingUnknownMalformedAndRevokedTokensAre401() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let token = try await gateway.token(.user, name: "carol")
                #expect(try await gateway.send(.GET, "/api/bexy/profiles", token: token).status == 200)

                expectEnvelope(try await gateway.send(.GET, "/api/bexy/profiles"), status: 401, code: "unauthorized")
                expectEnvelope(try await gateway.send(.GET, "/api/bexy/profiles", token: token + "x"),
                               status: 401, code: "unauthorized")
                expectEnvelope(try await gateway.send(.GET, "/api/bexy/profiles", headers: [("Authorization", "Basic abc")]),
                               status: 401, code: "unauthorized")
                try await gateway.store.revoke(name: "carol")
                expectEnvelope(try await gateway.send(.GET, "/api/bexy/profiles", token: token),
                               status: 401, code: "unauthorized")
            }
        }
    }

    @Test func healthAndTheOpenAPIDocumentAreOpen() async throws {
        try await withGateway { gateway in
            for path in ["/health", "/api/health", "/api/openapi.json"] {
                let reply = try await gateway.send(.GET, path)
                #expect(reply.status == 200, "\(path): \(reply.text)")
            }
        }
    }

    @Test func rolesDecideWhatATokenMayDo() async throws {
        try await withLogLama { logLamaPort in
            try await withGateway(upstreams: ["loglama": logLamaPort]) { gateway in
                let viewer = try await gateway.token(.viewer, name: "viewer")
                let user = try await gateway.token(.user, name: "user")
                let record = #"{"level": "INFO", "message": "m"}"#

                #expect(try await gateway.send(.GET, "/api/loglama/api/logs", token: viewer).status == 200)
                expectEnvelope(try await gateway.send(.POST, "/api/loglama/api/logs", token: viewer, body: record),
                               status: 403, code: "forbidden")
                #expect(try await gateway.send(.POST, "/api/loglama/api/logs", token: user, body: record).status == 201)

                expectEnvelope(try await gateway.send(.POST, "/api/loglama/api/logs/clear", token: user, body: "{}"),
                               status: 403, code: "forbidden")
                expectEnvelope(try await gateway.send(.POST, "/api/loglama/api/audit", token: user, body: "[]"),
                               status: 403, code: "forbidden")
                expectEnvelope(try await gateway.send(.GET, "/api/tokens", token: user), status: 403, code: "forbidden")
                let cleared = try await gateway.send(.POST, "/api/loglama/api/logs/clear", token: Gateway.adminToken,
                                                     body: "{}")
                #expect(cleared.status == 200, "\(cleared.text)")
                #expect(cleared.json?["deleted"]?.int == 1)
            }
        }
    }

    @Test func adminsManageTokensOverHTTP() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let created = try await gateway.send(.POST, "/api/tokens", token: Gateway.adminToken,
                                                     body: #"{"name": "ci", "role": "user"}"#)
                #expect(created.status == 201, "\(created.text)")
                let token = try #require(created.json?["token"]?.string)
                #expect(try await gateway.send(.POST, "/api/bexy/execute", token: token, body: "{}").status == 200)

                expectEnvelope(try await gateway.send(.POST, "/api/tokens", token: Gateway.adminToken,
                                                      body: #"{"name": "ci", "role": "user"}"#),
                               status: 409, code: "name_taken")
                let badRole = try await gateway.send(.POST, "/api/tokens", token: Gateway.adminToken,
                                                     body: #"{"name": "x", "role": "root"}"#)
                expectEnvelope(badRole, status: 400, code: "invalid_field")
                #expect(badRole.json?["error"]?["field"]?.string == "role")

                let listed = try await gateway.send(.GET, "/api/tokens", token: Gateway.adminToken)
                #expect(listed.json?["tokens"]?.array.compactMap { $0["name"]?.string } == ["ci", "default"])
                #expect(!listed.text.contains(token) && !listed.text.contains(Gateway.adminToken))

                #expect(try await gateway.send(.DELETE, "/api/tokens/ci", token: Gateway.adminToken).status == 200)
                expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute", token: token, body: "{}"),
                               status: 401, code: "unauthorized")
                expectEnvelope(try await gateway.send(.DELETE, "/api/tokens/nobody", token: Gateway.adminToken),
                               status: 404, code: "not_found")
            }
        }
    }

    @Test func anEmptyBucketIs429WithRetryAfterForThatTokenOnly() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort],
                                  configure: { $0.rateLimit = RateLimit(perSecond: 0.01, burst: 2) }) { gateway in
                let other = try await gateway.token(.viewer, name: "other")
                for _ in 0..<2 {
                    #expect(try await gateway.send(.GET, "/api/bexy/profiles", token: Gateway.adminToken).status == 200)
                }
                let limited = try await gateway.send(.GET, "/api/bexy/profiles", token: Gateway.adminToken)
                expectEnvelope(limited, status: 429, code: "rate_limited")
                let retryAfter = try #require(limited.header("Retry-After").flatMap { Int($0) })
                #expect(retryAfter >= 1 && retryAfter <= 100)
                #expect(try await gateway.send(.GET, "/api/bexy/profiles", token: other).status == 200)
                #expect(try await gateway.send(.GET, "/health").status == 200)
            }
        }
    }
}
