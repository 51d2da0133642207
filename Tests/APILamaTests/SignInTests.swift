import APILama
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// A person with a browser: the sign-in page, the redirect to it, sign-in from the gateway's own origin, and a
/// service's page under its prefix (`/api/loglama/`) once signed in.
@Suite struct SignInTests {
    /// A client that does not follow redirects (the tests look at them); it lives as long as the test process.
    static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                   configuration: .init(redirectConfiguration: .disallow))

    /// Sends like a browser would, without following redirects.
    static func browse(_ gateway: Gateway, _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [],
                       body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: gateway.baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return Reply(status: Int(response.status.code), headers: response.headers, text: text)
    }

    static let html = ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")

    @Test func theSignInPageIsOpenAndStrict() async throws {
        try await withGateway { gateway in
            let root = try await Self.browse(gateway, .GET, "/", headers: [Self.html])
            #expect(root.status == 303)
            #expect(root.header("Location") == "/web/")
            let page = try await Self.browse(gateway, .GET, "/signin", headers: [Self.html])
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<label for="token">"#))
            let policy = try #require(page.header("Content-Security-Policy"))
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'")
                    && policy.contains("frame-ancestors 'none'"))
            for asset in ["/signin/signin.js", "/signin/signin.css"] {
                let file = try await Self.browse(gateway, .GET, asset)
                #expect(file.status == 200, "\(asset)")
                #expect(!file.text.isEmpty)
            }
            let script = try await Self.browse(gateway, .GET, "/signin/signin.js")
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!script.text.contains(sink), "\(sink)")
            }
        }
    }

    /// WebLama's files are open and forwarded whole (`/web/...` to the page's service), carrying none of the
    /// client's credentials, no internal token and no caller; only GET and HEAD reach it.
    @Test func webLamasFilesAreOpenAndForwardedWithoutCredentials() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["web": upstreamPort]) { gateway in
                let page = try await Self.browse(gateway, .GET, "/web/js/app.js?v=1",
                                                 headers: [Self.html, ("Cookie", "apilama_session=x.y"),
                                                           ("Authorization", "Bearer not-a-token")])
                #expect(page.status == 200, "\(page.text)")
                #expect(page.json?["path"]?.string == "/web/js/app.js" && page.json?["query"]?.string == "v=1")
                let forwarded = page.json?["headers"]
                for name in ["authorization", "cookie", "x-pylama-requester", "x-forwarded-prefix"] {
                    #expect(forwarded?[name] == nil, "\(name) was forwarded")
                }
                let index = try await Self.browse(gateway, .GET, "/web/", headers: [Self.html])
                #expect(index.status == 200 && index.json?["path"]?.string == "/web/", "\(index.text)")
                let bare = try await Self.browse(gateway, .GET, "/web", headers: [Self.html])
                #expect(bare.status == 308 && bare.header("Location") == "/web/")
                expectEnvelope(try await Self.browse(gateway, .POST, "/web/js/app.js", body: "{}"),
                               status: 401, code: "unauthorized")
                let posted = try await Self.browse(gateway, .POST, "/web/js/app.js",
                                                   headers: [("Authorization", "Bearer \(Gateway.adminToken)")], body: "{}")
                #expect((400..<500).contains(posted.status) && posted.json?["method"] == nil, "\(posted.text)")
            }
        }
    }

    @Test func aBrowserWithoutASessionIsSentToSignInAndAnAPIClientGets401() async throws {
        try await withGateway { gateway in
            let page = try await Self.browse(gateway, .GET, "/api/loglama/?tab=audit", headers: [Self.html])
            #expect(page.status == 303)
            #expect(page.header("Location") == "/signin?next=/api/loglama/%3Ftab%3Daudit")
            let api = try await Self.browse(gateway, .GET, "/api/loglama/api/logs", headers: [("Accept", "application/json")])
            expectEnvelope(api, status: 401, code: "unauthorized")
        }
    }

    @Test func signInFromTheGatewaysOwnOriginThenTheServicePageUnderItsPrefix() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["loglama": upstreamPort]) { gateway in
                let own = gateway.baseURL  // http://127.0.0.1:PORT, the Host the browser sends
                let login = try await Self.browse(gateway, .POST, "/api/session", headers: [("Origin", own)],
                                                  body: #"{"token": "\#(Gateway.adminToken)"}"#)
                #expect(login.status == 200, "\(login.text)")
                let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))

                let whoami = try await Self.browse(gateway, .GET, "/api/session", headers: [("Cookie", cookie)])
                #expect(whoami.status == 200)
                #expect(whoami.json?["name"]?.string == "default")
                #expect(whoami.json?["role"]?.string == "admin")

                let bare = try await Self.browse(gateway, .GET, "/api/loglama?x=1", headers: [("Cookie", cookie), Self.html])
                #expect(bare.status == 308)
                #expect(bare.header("Location") == "/api/loglama/?x=1")
                let page = try await Self.browse(gateway, .GET, "/api/loglama/", headers: [("Cookie", cookie), Self.html])
                #expect(page.status == 200, "\(page.text)")
                #expect(page.json?["path"]?.string == "/")
                #expect(page.json?["headers"]?["authorization"]?.string == "Bearer \(Gateway.internalToken)")

                // A state change with the cookie from the gateway's own origin is allowed; from another site not.
                let own2 = try await Self.browse(gateway, .POST, "/api/loglama/api/logs",
                                                 headers: [("Cookie", cookie), ("Origin", own)], body: "{}")
                #expect(own2.status == 200, "\(own2.text)")
                expectEnvelope(try await Self.browse(gateway, .POST, "/api/loglama/api/logs",
                                                     headers: [("Cookie", cookie), ("Origin", "http://evil.example")],
                                                     body: "{}"),
                               status: 403, code: "origin_not_allowed")
                expectEnvelope(try await Self.browse(gateway, .POST, "/api/session", headers: [("Origin", "http://evil.example")],
                                                     body: #"{"token": "\#(Gateway.adminToken)"}"#),
                               status: 403, code: "origin_not_allowed")
            }
        }
    }
}
