import Contracts
import FoundationEssentials
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import TestSupport
import Testing

@testable import LogLama

#if canImport(Glibc)
import Glibc
#endif

/// A LogLama server over a real SQLite file in a fresh temporary directory, served on a loopback port.
final class Harness: Sendable {
    let directory: String
    let store: LogLamaStore
    let configuration: LogLamaConfiguration

    init(maxBodyBytes: Int = LogLamaConfiguration.defaultMaxBodyBytes, retention: LogRetention = .unlimited) throws {
        directory = temporaryDirectory(prefix: "loglama-test")
        configuration = LogLamaConfiguration(host: "127.0.0.1", port: 0, databasePath: "\(directory)/loglama.db",
                                             maxBodyBytes: maxBodyBytes, retention: retention)
        store = try LogLamaStore(path: configuration.databasePath)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` against the server on a live loopback connection.
    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildLogLamaApplication(configuration: configuration, store: store)
        try await app.test(.live, body)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A response: its status, its parsed JSON body and its headers.
struct JSONReply {
    var status: HTTPResponse.Status
    var json: JSONValue
    var headers: HTTPFields
}

extension TestClientProtocol {
    /// Sends `body` (raw text) and parses the JSON reply.
    func send(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
              headers: HTTPFields = [:]) async throws -> JSONReply {
        var headers = headers
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers,
                                         body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        guard let json = JSONValue.parse(text) else {
            throw HarnessError("\(method) \(uri): \(response.status) with a body that is not JSON: \(text)")
        }
        return JSONReply(status: response.status, json: json, headers: response.headers)
    }

    /// Sends an `Encodable` value as JSON.
    func send(_ method: HTTPRequest.Method, _ uri: String, encoding value: some Encodable) async throws -> JSONReply {
        let data = try JSONEncoder().encode(value)
        return try await send(method, uri, body: String(decoding: data, as: UTF8.self))
    }

    /// `GET uri`, expecting 200.
    func get(_ uri: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let reply = try await send(.get, uri)
        #expect(reply.status == .ok, "GET \(uri): \(reply.json)", sourceLocation: sourceLocation)
        return reply.json
    }

    /// `POST /api/logs` with `body`, expecting 201; returns `accepted`.
    @discardableResult
    func postLogs(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let reply = try await send(.post, "/api/logs", body: body)
        #expect(reply.status == .created, "POST /api/logs: \(reply.json)", sourceLocation: sourceLocation)
        #expect(reply.json["status"]?.string == "ok", sourceLocation: sourceLocation)
        return reply.json["accepted"]?.int ?? -1
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue {
    var isNull: Bool { self == .null }

    /// The `error.field` of an error body.
    var errorField: String? { self["error"]?["field"]?.string }
    /// The `error.code` of an error body.
    var errorCode: String? { self["error"]?["code"]?.string }
}
