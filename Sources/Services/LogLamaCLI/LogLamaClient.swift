import AsyncHTTPClient
import Contracts
import NIOCore
import ServiceHTTP
import ServiceKit

/// The terminal's window on a running LogLama: GET requests to its query API, answers as `JSONValue`.
///
/// The base URL is `LOGLAMA_URL` from the central `.env`; the internal service token, when configured, is sent as
/// `Authorization: Bearer`.
struct LogLamaClient {
    /// Why a query failed, in one line.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var baseURL: String
    var token: String?

    init(configuration: PyLamaConfiguration) {
        let url = configuration.url(of: "loglama")
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        token = configuration["PYLAMA_INTERNAL_TOKEN"]
    }

    /// `GET path?query` (query pairs are percent-encoded here) -> the JSON body; a non-2xx answer is a failure
    /// quoting LogLama's error message.
    func get(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        let queryText = query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: baseURL + path + (queryText.isEmpty ? "" : "?" + queryText))
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        } catch {
            let reason = "\(error)".contains("Connection refused") ? "connection refused" : "\(error)"
            throw Failure(description: "LogLama at \(baseURL) is not reachable (\(reason)); start it with `loglama serve`")
        }
        let body = try await response.body.collect(upTo: 64 << 20)
        let json = (try? body.withUnsafeReadableBytes { try JSONParser.parse($0) }) ?? .null
        guard (200..<300).contains(Int(response.status.code)) else {
            var message = "HTTP \(response.status.code)"
            if case .object(let envelope) = json, case .object(let error)? = envelope["error"],
               case .string(let text)? = error["message"] {
                message += ": " + text
            }
            throw Failure(description: "LogLama refused \(path): \(message)")
        }
        return json
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
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
    var text: String {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        default: serialized
        }
    }
}
