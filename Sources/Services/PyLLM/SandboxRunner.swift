import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import NIOCore
import ServiceHTTP

/// Runs a program in BEXY: PyLLM never runs model-written code itself.
public protocol SandboxRunner: Sendable {
    /// Run `code` (with `stdin`, in `profile`) for `requester`; the result is BEXY's, whatever the program did.
    /// - Throws: `ServiceError`: 503 naming BEXY when it cannot be reached, BEXY's own refusal otherwise.
    func run(code: String, stdin: String?, profile: String?, requester: String, requestID: String) async throws
        -> ExecutionResult
}

/// `SandboxRunner` over BEXY's `POST /execute`, with the internal token and the caller's name forwarded (BEXY's
/// audit record names the person, as it does for the gateway's requests).
public struct BexyHTTPRunner: SandboxRunner {
    public let url: String
    let token: String
    let http: HTTPClient
    /// Bounds one execution including BEXY's queue: above any profile's wall limit.
    let timeoutSeconds: Int64

    public init(url: String, token: String, timeoutSeconds: Int64 = 120,
                httpClient: HTTPClient = BexyHTTPRunner.sharedHTTPClient) {
        self.url = url
        self.token = token
        self.timeoutSeconds = timeoutSeconds
        http = httpClient
    }

    /// The process's client for BEXY: a refused connection fails after 3 s (the shared client would retry it for
    /// its whole 10 s connect timeout before the 503), and up to 64 connections, so concurrent runs wait in BEXY's
    /// queue (which answers 429 when full), not for a pooled connection. Never shut down, like `HTTPClient.shared`.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(3)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func run(code: String, stdin: String?, profile: String?, requester: String, requestID: String) async throws
        -> ExecutionResult {
        var request = HTTPClientRequest(url: url + "/execute")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "X-PyLama-Requester", value: requester)
        request.headers.add(name: "X-Request-ID", value: requestID)
        let body = ExecuteRequestBody(code: code, stdin: stdin, profile: profile)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(timeoutSeconds))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ServiceError(status: .serviceUnavailable, code: "sandbox_unavailable",
                               message: "BEXY is not reachable at \(url) (\(error)); start it (bexy serve) or set BEXY_URL")
        }
        let data = Data(bytes.readableBytesView)
        guard response.status == .ok else {
            // BEXY's refusal (the code too large, a bad profile, its queue full) is passed on with its words.
            let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: data)
            let status: HTTPResponse.Status = response.status.code == 429 || response.status.code >= 500
                ? .init(code: Int(response.status.code)) : .badRequest
            throw ServiceError(status: status, code: envelope?.error.code ?? "sandbox_error",
                               message: "BEXY refused the program: "
                                   + (envelope?.error.message ?? "HTTP \(response.status.code)"),
                               field: envelope?.error.field)
        }
        do {
            return try JSONDecoder().decode(ExecutionResult.self, from: data)
        } catch {
            throw ServiceError(status: .badGateway, code: "bad_gateway", message: "BEXY's answer could not be read: \(error)")
        }
    }
}
