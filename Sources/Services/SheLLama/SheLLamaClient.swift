import AsyncHTTPClient
import Contracts
import NIOCore
import NIOHTTP1
import ServiceHTTP
import ServiceKit

/// A client of a running SheLLama (what the `shellama` CLI's subcommands use): one request, the JSON answer.
///
/// The base URL is `SHELLAMA_URL` from the central `.env`; the internal token is sent as `Authorization: Bearer`.
public struct SheLLamaClient: Sendable {
    /// Why a call failed, in one line (SheLLama's error message, or why it could not be reached).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        /// SheLLama's answer, when there was one.
        public var body: JSONValue?
    }

    public var baseURL: String
    public var token: String?

    public init(baseURL: String, token: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
    }

    /// The client for `configuration` (`SHELLAMA_URL`, `PYLAMA_INTERNAL_TOKEN`).
    public init(configuration: PyLamaConfiguration) {
        self.init(baseURL: configuration.url(of: "shellama"), token: configuration["PYLAMA_INTERNAL_TOKEN"])
    }

    /// `method path?query` with an optional JSON `body`; a non-2xx answer is a `Failure` quoting SheLLama's message.
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     timeout: TimeAmount = .seconds(660)) async throws -> JSONValue {
        let queryText = query.map { "\(ServiceClient.encode($0.0))=\(ServiceClient.encode($0.1))" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: baseURL + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw Failure(description: "SheLLama at \(baseURL) is not reachable (\(error)); start it with "
                          + "`loglama start-all` or `shellama serve`")
        }
        let buffer = try await response.body.collect(upTo: 256 << 20)
        let json = JSONValue.parse(String(buffer: buffer))
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = json?["error"]?["message"]?.string ?? json?["message"]?.string ?? String(buffer: buffer)
            throw Failure(description: "HTTP \(response.status.code): \(message)", body: json)
        }
        return json ?? .null
    }
}
