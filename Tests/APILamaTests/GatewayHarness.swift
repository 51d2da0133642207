import APILama
import AsyncHTTPClient
import Contracts
import NIOCore
import NIOHTTP1
import ServiceHTTP
import TestSupport
import Testing

/// A live gateway on a loopback port over a fresh token database, with the admin token `default` registered.
struct Gateway: Sendable {
    let port: Int
    let store: TokenStore
    let configuration: APILamaConfiguration

    static let adminToken = "plm_test-admin-0123456789abcdefghijklmnopqrstuvwxyz"
    static let internalToken = "int_test-internal-token-for-the-services"

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Creates a token with `role` called `name` and returns it.
    func token(_ role: Role, name: String) async throws -> String {
        try await store.create(name: name, role: role)
    }

    /// Sends one request and reads the whole answer.
    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [],
              body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        return Reply(status: Int(response.status.code), headers: response.headers, text: text)
    }
}

/// A response: status, headers, body text and, when it is JSON, the parsed body.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var text: String
    var json: JSONValue? { JSONValue.parse(text) }

    /// The first value of header `name`.
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Runs a gateway whose routes `/api/<route>` (and the page `/web`) go to the loopback ports in `upstreams` (by route); every other
/// route points at a closed port. `configure` adjusts the configuration first.
func withGateway(upstreams ports: [String: Int] = [:],
                 configure: (inout APILamaConfiguration) -> Void = { _ in },
                 _ body: (Gateway) async throws -> Void) async throws {
    let directory = temporaryDirectory(prefix: "apilama")
    let upstreams = Upstream.routes.map { route, service, isPage in
        Upstream(route: route, service: service, baseURL: "http://127.0.0.1:\(ports[route] ?? refusedPort())",
                 isPage: isPage)
    }
    var configuration = APILamaConfiguration(host: "127.0.0.1", port: 0, databasePath: directory + "/apilama.db",
                                             upstreams: upstreams, apiToken: Gateway.adminToken,
                                             internalToken: Gateway.internalToken)
    configure(&configuration)
    let store = try TokenStore(path: configuration.databasePath)
    let settled = configuration
    try await withLiveServer({ onRunning in
        try await buildAPILamaApplication(configuration: settled, store: store, logger: quietLogger("apilama"),
                                         onServerRunning: onRunning)
    }) { port in
        try await body(Gateway(port: port, store: store, configuration: settled))
    }
}

/// Checks that `reply` is the ecosystem's error envelope with `status` and `code`, carrying the request id
/// that the `X-Request-ID` header carries.
func expectEnvelope(_ reply: Reply, status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "\(reply.status): \(reply.text)", sourceLocation: sourceLocation)
    let json = reply.json
    #expect(json?["status"]?.string == "error", "\(reply.text)", sourceLocation: sourceLocation)
    #expect(json?["error"]?["code"]?.string == code, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(json?["error"]?["message"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    let requestID = json?["request_id"]?.string
    #expect(requestID != nil && requestID == reply.header("X-Request-ID"), "\(reply.text)",
            sourceLocation: sourceLocation)
}
