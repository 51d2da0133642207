import APILama
import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceHTTP
import TestSupport
import Testing

/// Routing through the gateway to real upstreams: a live LogLama and small Hummingbird servers.
@Suite struct ProxyTests {
    @Test func logsGoThroughToLogLamaWithATokenAndAre401WithoutOne() async throws {
        try await withLogLama { logLamaPort in
            try await withGateway(upstreams: ["loglama": logLamaPort]) { gateway in
                let record = #"{"level": "INFO", "message": "through the gateway", "component": "apilama-test"}"#
                let refused = try await gateway.send(.POST, "/api/loglama/api/logs", body: record)
                expectEnvelope(refused, status: 401, code: "unauthorized")
                #expect(refused.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)

                let stored = try await gateway.send(.POST, "/api/loglama/api/logs", token: Gateway.adminToken, body: record)
                #expect(stored.status == 201, "\(stored.text)")
                #expect(stored.json?["accepted"]?.int == 1)

                let listed = try await gateway.send(.GET, "/api/loglama/api/logs?component=apilama-test",
                                                    token: Gateway.adminToken)
                #expect(listed.status == 200, "\(listed.text)")
                #expect(listed.json?["logs"]?.array.first?["message"]?.string == "through the gateway")
            }
        }
    }

    @Test func theUpstreamSeesTheInternalTokenTheRequesterAndTheRequestIDButNotTheClientsCredentials() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let token = try await gateway.token(.user, name: "alice")
                let reply = try await gateway.send(
                    .POST, "/api/bexy/execute?profile=strict", token: token,
                    headers: [("Cookie", "apilama_session=stolen; other=1"), ("X-PyLama-Requester", "mallory"),
                              ("X-Request-ID", "req-42"), ("X-Forwarded-For", "6.6.6.6")],
                    body: #"{"code": "print(1)"}"#)
                #expect(reply.status == 200, "\(reply.text)")
                let echo = try #require(reply.json)
                #expect(echo["method"]?.string == "POST")
                #expect(echo["path"]?.string == "/execute")
                #expect(echo["query"]?.string == "profile=strict")
                #expect(echo["body_bytes"]?.int == 20)
                let headers = try #require(echo["headers"])
                #expect(headers["authorization"]?.string == "Bearer \(Gateway.internalToken)")
                #expect(headers["x-pylama-requester"]?.string == "alice")
                #expect(headers["x-request-id"]?.string == "req-42")
                #expect(reply.header("X-Request-ID") == "req-42")
                #expect(headers["cookie"] == nil)
                #expect(headers["x-forwarded-for"] == nil)
                #expect(!reply.text.contains(token))
            }
        }
    }

    @Test func unknownGatewayRoutesAre404AndUpstream404sPassThrough() async throws {
        try await withLogLama { logLamaPort in
            try await withGateway(upstreams: ["loglama": logLamaPort]) { gateway in
                expectEnvelope(try await gateway.send(.GET, "/api/nowhere", token: Gateway.adminToken),
                               status: 404, code: "not_found")
                let upstream = try await gateway.send(.GET, "/api/loglama/api/log/999999", token: Gateway.adminToken)
                expectEnvelope(upstream, status: 404, code: "not_found")
            }
        }
    }

    @Test func aServiceThatIsDownIs503NamingIt() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                               body: #"{"code": "print(1)"}"#)
            expectEnvelope(reply, status: 503, code: "service_unavailable")
            #expect(reply.json?["error"]?["message"]?.string?.contains("bexy is not reachable") == true,
                    "\(reply.text)")
        }
    }

    @Test func anUpstreamThatNeverAnswersIs504() async throws {
        let gate = Gate()
        defer { gate.open() }
        try await withHTTPServer(TestUpstreams.silent(gate: gate)) { upstreamPort in
            try await withGateway(upstreams: ["shellama": upstreamPort],
                                  configure: { $0.upstreamTimeout = .milliseconds(300) }) { gateway in
                let reply = try await gateway.send(.GET, "/api/shellama/never", token: Gateway.adminToken)
                expectEnvelope(reply, status: 504, code: "upstream_timeout")
                #expect(reply.json?["error"]?["message"]?.string?.contains("shellama") == true)
            }
        }
    }

    @Test func anUpstreamSpeakingGarbageIs502() async throws {
        let listener = LoopbackSocket(listening: true)
        TestUpstreams.speakGarbageOnce(listeningOn: listener.fd)
        try await withGateway(upstreams: ["pylama": listener.port]) { gateway in
            let reply = try await gateway.send(.GET, "/api/pylama/models", token: Gateway.adminToken)
            expectEnvelope(reply, status: 502, code: "bad_gateway")
            #expect(reply.json?["error"]?["message"]?.string?.contains("pylama") == true)
        }
    }

    @Test func bodiesOverTheLimitAre413DeclaredOrStreamed() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort], configure: { $0.maxBodyBytes = 1024 }) { gateway in
                let declared = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                                      body: String(repeating: "x", count: 2048))
                expectEnvelope(declared, status: 413, code: "payload_too_large")

                let fits = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                                  body: String(repeating: "x", count: 1024))
                #expect(fits.json?["body_bytes"]?.int == 1024, "\(fits.text)")

                var chunked = HTTPClientRequest(url: gateway.baseURL + "/api/bexy/execute")
                chunked.method = .POST
                chunked.headers.add(name: "Authorization", value: "Bearer \(Gateway.adminToken)")
                let chunks = (0..<4).map { _ in ByteBuffer(string: String(repeating: "y", count: 600)) }
                chunked.body = .stream(chunks.async, length: .unknown)
                let response = try await HTTPClient.shared.execute(chunked, timeout: .seconds(30))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                expectEnvelope(Reply(status: Int(response.status.code), headers: response.headers, text: text),
                               status: 413, code: "payload_too_large")
            }
        }
    }

    @Test func dotSegmentsAndEncodedSlashesAreRefused() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["loglama": upstreamPort]) { gateway in
                let token = try await gateway.token(.user, name: "bob")
                for path in ["/api/loglama/api/logs/x/../clear", "/api/loglama/api/logs%2Fclear"] {
                    expectEnvelope(try await gateway.send(.POST, path, token: token), status: 400, code: "invalid_path")
                }
                let doubled = try await gateway.send(.GET, "/api/loglama//api//logs", token: token)
                #expect(doubled.json?["path"]?.string == "/api/logs", "\(doubled.text)")
            }
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

/// A request body the client framed wrongly is the client's 400, not a 502 blaming the service.
@Suite struct MalformedBodyTests {
    @Test func aMalformedChunkSizeIsABadRequestNotABadGateway() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let request = "POST /api/bexy/execute HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(Gateway.adminToken)\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
                let answer = await rawHTTPExchange(port: gateway.port, Array(request.utf8))
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
                #expect(answer.contains(#""code":"invalid_request""#), "\(answer)")
            }
        }
    }

    @Test func aHugeHeaderGetsTheErrorEnvelope() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let request = "GET /api/bexy/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                    + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
                let answer = await rawHTTPExchange(port: gateway.port, Array(request.utf8))
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
                #expect(answer.contains(#""code":"invalid_request""#), "\(answer.prefix(400))")
            }
        }
    }
}
