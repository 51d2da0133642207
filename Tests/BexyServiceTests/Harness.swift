import AsyncHTTPClient
import Bexy
import BexyAudit
import BexyService
import Contracts
import Foundation
import Jail
import Logging
import NIOCore
import NIOHTTP1
import ServiceHTTP
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Shared facts and helpers of the BEXY service tests: real servers on loopback, over real sandboxes or a
/// `ScriptedRunner`.
enum Harness {
    /// The internal token every test server is configured with.
    static let token = "int_test-token-\(getpid())"

    /// `Authorization` for `token`.
    static var authorized: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    /// Waits for `condition`, checking every 50 ms for up to `seconds` (a guard against hanging, not a timing
    /// assertion); records an issue if it never holds.
    static func eventually(_ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
                           _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("never happened within \(seconds) s: \(what)", sourceLocation: sourceLocation)
    }
}

/// A BEXY server running in the test process on a loopback port, over a fresh private audit spool.
struct LiveBexy: Sendable {
    let port: Int
    let spool: AuditSpool
    let client: HTTPClient

    /// Run a server with `slots`, `queue` and `limits`, call `body`, then shut the server down (cancelling what
    /// still runs) and wait for it to stop.
    ///
    /// With a `script` the server's jobs are scripted (`ScriptedRunner`: no sandbox, no root needed); without
    /// one they run in real sandboxes (`Engine`).
    static func run(slots: Int = 2, queue: Int? = nil,
                    limits: BexyServiceConfiguration.InputLimits = .init(),
                    jobRetention: BexyServiceConfiguration.JobRetention = .init(),
                    workspaces: WorkspaceRoot? = nil,
                    script: (@Sendable (ExecutionRequest) -> ScriptedJob)? = nil,
                    _ body: @Sendable (LiveBexy) async throws -> Void) async throws {
        let spool = try AuditSpool(path: temporaryDirectory(prefix: "bexy-service-test") + "/audit.db")
        let profiles = ProfileStore(directory: TestHost.repositoryRoot + "/profiles")
        let runner: any JobRunner = if let script {
            ScriptedRunner(profiles: profiles, spool: spool, workspaces: workspaces, script: script)
        } else {
            Engine(profiles: profiles, spool: spool, workspaces: workspaces)
        }
        let configuration = BexyServiceConfiguration(
            host: "127.0.0.1", port: 0, slots: slots, queueCapacity: queue, grace: .seconds(5),
            internalToken: Harness.token, limits: limits, jobRetention: jobRetention)
        let bound = Mutex<Int?>(nil)
        // Stopping by cancellation makes Hummingbird log errors about its cancelled listener: keep tests quiet.
        var logger = Logger(label: "bexy-test")
        logger.logLevel = .critical
        let server = BexyServer(configuration: configuration, runner: runner, logger: logger) { port in
            bound.withLock { $0 = port }
        }
        let client = HTTPClient.loopbackClient()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run(gracefulShutdownSignals: []) }
                var port: Int?
                for _ in 0..<500 where port == nil {
                    try await Task.sleep(for: .milliseconds(10))
                    port = bound.withLock { $0 }
                }
                try await body(LiveBexy(port: try #require(port), spool: spool, client: client))
                group.cancelAll()
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// `POST /execute` with `body`, authorized unless `headers` say otherwise.
    func execute(_ body: String, headers: [(String, String)] = Harness.authorized) async throws -> Reply {
        try await client.send(.POST, port: port, path: "/execute", body: body, headers: headers)
    }

    /// `POST path` with `body`, authorized unless `headers` say otherwise.
    func post(_ path: String, _ body: String, headers: [(String, String)] = Harness.authorized) async throws -> Reply {
        try await client.send(.POST, port: port, path: path, body: body, headers: headers)
    }

    /// `GET path`, authorized unless `headers` say otherwise.
    func get(_ path: String, headers: [(String, String)] = Harness.authorized) async throws -> Reply {
        try await client.send(.GET, port: port, path: path, headers: headers)
    }

    /// Every audit record of this server's spool.
    func auditRecords() throws -> [AuditRecord] {
        try spool.list(limit: 1_000_000)
    }
}

/// A response: status, JSON body, headers.
struct Reply: CustomStringConvertible {
    var status: Int
    var json: JSONValue
    var headers: HTTPHeaders

    var description: String { "\(status) \(json.serialized)" }
}

extension HTTPClient {
    /// A client for many concurrent loopback requests (the default pool keeps 8 connections per host).
    static func loopbackClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Send one request and parse the JSON reply; a request still unanswered after 120 s fails (none may hang).
    func send(_ method: HTTPMethod, port: Int, path: String, body: String? = nil,
              headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await execute(request, timeout: .seconds(120))
        let text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        let json = try #require(JSONValue.parse(text), "\(method) \(path): \(response.status) body is not JSON: \(text)")
        return Reply(status: Int(response.status.code), json: json, headers: response.headers)
    }
}

extension JSONValue {
    /// `error.field` of an error envelope.
    var errorField: String? { self["error"]?["field"]?.string }
    /// `error.code` of an error envelope.
    var errorCode: String? { self["error"]?["code"]?.string }
}

/// JSON text for a request body.
func json(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
