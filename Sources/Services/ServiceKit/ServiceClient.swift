import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1

/// A command line's window on a running service of the ecosystem: JSON requests to its API, answers as
/// `JSONValue`.
///
/// The base URL is `<SERVICE>_URL` from the central `.env`; the internal service token, when configured, is sent
/// as `Authorization: Bearer`.
public struct ServiceClient: Sendable {
    /// Why a request failed, in one line.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The service's name in messages (`LogLama`, `PyLLM`).
    public var name: String
    public var baseURL: String
    public var token: String?
    /// How to start the service, quoted when it is not reachable (`loglama serve`).
    public var startCommand: String

    /// The client of `service` (a name of `Ecosystem.services`) as `configuration` places it.
    public init(service: String, displayName: String, startCommand: String, configuration: PyLamaConfiguration) {
        let url = configuration.url(of: service)
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        token = configuration["PYLAMA_INTERNAL_TOKEN"]
        name = displayName
        self.startCommand = startCommand
    }

    /// `GET path?query` (query pairs are percent-encoded here) -> the JSON body; a non-2xx answer is a failure
    /// quoting the service's error message.
    public func get(_ path: String, query: [(String, String)] = [], timeoutSeconds: Int64 = 10) async throws
        -> JSONValue {
        try await call(.GET, path, query: query, timeoutSeconds: timeoutSeconds)
    }

    /// `POST path` with `body` as JSON -> the JSON answer.
    public func post(_ path: String, body: JSONValue, timeoutSeconds: Int64 = 300) async throws -> JSONValue {
        try await call(.POST, path, body: body, timeoutSeconds: timeoutSeconds)
    }

    /// `DELETE path?query` -> the JSON answer.
    public func delete(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try await call(.DELETE, path, query: query, timeoutSeconds: 60)
    }

    /// `method path?query` with an optional JSON `body` -> the JSON answer; a non-2xx answer is a `Failure` quoting
    /// the service's message (`HTTP <status>: <message>`).
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     timeoutSeconds: Int64 = 660) async throws -> JSONValue {
        let queryText = query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: baseURL + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            let reason = "\(error)".contains("Connection refused") ? "connection refused" : "\(error)"
            throw Failure(description: "\(name) at \(baseURL) is not reachable (\(reason)); start it with `\(startCommand)`")
        }
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))) ?? .null
        guard (200..<300).contains(Int(response.status.code)) else {
            var message = "HTTP \(response.status.code)"
            if let text = json["error"]?["message"]?.string ?? json["message"]?.string { message += ": " + text }
            throw Failure(description: "\(name) refused \(path): \(message)")
        }
        return json
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

extension JSONValue {
    /// A scalar as plain text: strings unquoted, numbers and booleans as written, null and containers as JSON.
    public var text: String {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        default: serialized
        }
    }
}
