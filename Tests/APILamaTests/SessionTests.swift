import APILama
import ServiceHTTP
import TestSupport
import Testing

/// Browser sessions: a token exchanged for an HttpOnly, SameSite=Strict cookie, guarded against cross-site use.
@Suite struct SessionTests {
    static let webLama = "http://127.0.0.1:8081"

    @Test func signInUseTheCookieAndSignOut() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let user = try await gateway.token(.user, name: "dana")
                let login = try await gateway.send(.POST, "/api/session", headers: [("Origin", Self.webLama)],
                                                   body: #"{"token": "\#(user)"}"#)
                #expect(login.status == 200, "\(login.text)")
                #expect(login.json?["name"]?.string == "dana")
                #expect(login.json?["role"]?.string == "user")
                let setCookie = try #require(login.header("Set-Cookie"))
                for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
                    #expect(setCookie.contains(attribute), "\(setCookie)")
                }
                #expect(!setCookie.contains("Secure"))
                let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
                #expect(!cookie.contains(user))

                let read = try await gateway.send(.GET, "/api/bexy/profiles", headers: [("Cookie", cookie)])
                #expect(read.status == 200, "\(read.text)")
                #expect(read.json?["headers"]?["x-pylama-requester"]?.string == "dana")
                #expect(read.json?["headers"]?["cookie"] == nil)

                let run = try await gateway.send(.POST, "/api/bexy/execute",
                                                 headers: [("Cookie", cookie), ("Origin", Self.webLama)], body: "{}")
                #expect(run.status == 200, "\(run.text)")

                let logout = try await gateway.send(.DELETE, "/api/session",
                                                    headers: [("Cookie", cookie), ("Origin", Self.webLama)])
                #expect(logout.status == 200, "\(logout.text)")
                #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
                expectEnvelope(try await gateway.send(.GET, "/api/bexy/profiles", headers: [("Cookie", cookie)]),
                               status: 401, code: "unauthorized")
            }
        }
    }

    @Test func aCookieWithoutAnAllowedOriginCannotChangeState() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let login = try await gateway.send(.POST, "/api/session", body: #"{"token": "\#(Gateway.adminToken)"}"#)
                let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
                expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute", headers: [("Cookie", cookie)], body: "{}"),
                               status: 403, code: "origin_not_allowed")
                expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute",
                                                      headers: [("Cookie", cookie), ("Origin", "https://evil.example")],
                                                      body: "{}"),
                               status: 403, code: "origin_not_allowed")
                // The same request with a bearer token needs no Origin: no browser sends that header on its own.
                #expect(try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken, body: "{}").status == 200)
            }
        }
    }

    @Test func signInIsRefusedForAnUnknownTokenOrAForeignOrigin() async throws {
        try await withGateway(configure: { $0.secureCookies = true }) { gateway in
            expectEnvelope(try await gateway.send(.POST, "/api/session", body: #"{"token": "plm_nope"}"#),
                           status: 401, code: "unauthorized")
            expectEnvelope(try await gateway.send(.POST, "/api/session", body: #"{"tok": 1}"#),
                           status: 400, code: "missing_field")
            expectEnvelope(try await gateway.send(.POST, "/api/session", headers: [("Origin", "https://evil.example")],
                                                  body: #"{"token": "\#(Gateway.adminToken)"}"#),
                           status: 403, code: "origin_not_allowed")
            let login = try await gateway.send(.POST, "/api/session", body: #"{"token": "\#(Gateway.adminToken)"}"#)
            #expect(login.header("Set-Cookie")?.hasSuffix("; Secure") == true)
        }
    }

    @Test func anExpiredSessionIs401() async throws {
        try await withGateway(configure: { $0.sessionLifetime = .zero }) { gateway in
            let login = try await gateway.send(.POST, "/api/session", body: #"{"token": "\#(Gateway.adminToken)"}"#)
            let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            expectEnvelope(try await gateway.send(.GET, "/api/tokens", headers: [("Cookie", cookie)]),
                           status: 401, code: "unauthorized")
        }
    }
}
