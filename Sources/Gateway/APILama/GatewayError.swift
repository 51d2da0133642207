import Hummingbird
import ServiceHTTP

/// The gateway's errors, all in the ecosystem's envelope (`ServiceError`).
extension ServiceError {
    /// No credential, or one that is unknown, revoked or expired: 401.
    static func unauthorized(_ message: String) -> ServiceError {
        ServiceError(status: .unauthorized, code: "unauthorized", message: message)
    }

    /// Authenticated, but the role does not allow the request: 403.
    static func forbidden(_ caller: Caller, needs role: Role, _ method: HTTPRequest.Method, _ path: String) -> ServiceError {
        ServiceError(status: .forbidden, code: "forbidden",
                     message: "token '\(caller.name)' has role \(caller.role.rawValue); \(method) \(path) needs \(role.rawValue)")
    }

    /// A cookie-authenticated state-changing request without an allowed `Origin`: 403 (cross-site request forgery).
    static func originRequired(_ origin: String?) -> ServiceError {
        ServiceError(status: .forbidden, code: "origin_not_allowed",
                     message: origin.map { "origin \($0) is not allowed to use the session cookie" }
                         ?? "a request authenticated by the session cookie must send an allowed Origin header")
    }

    /// A browser origin outside `APILAMA_CORS_ORIGINS`: 403.
    static func originNotAllowed(_ origin: String) -> ServiceError {
        ServiceError(status: .forbidden, code: "origin_not_allowed",
                     message: "origin \(origin) is not in APILAMA_CORS_ORIGINS")
    }

    /// The token's bucket is empty: 429 (with `Retry-After`).
    static func rateLimited(_ name: String, retryAfterSeconds: Int) -> ServiceError {
        ServiceError(status: .tooManyRequests, code: "rate_limited",
                     message: "token '\(name)' exceeded its request rate; retry in \(retryAfterSeconds) s")
    }

    /// The upstream refused the connection or could not be reached: 503 naming it.
    static func serviceUnavailable(_ upstream: Upstream, _ reason: String) -> ServiceError {
        ServiceError(status: .serviceUnavailable, code: "service_unavailable",
                     message: "\(upstream.service) is not reachable at \(upstream.baseURL) (\(reason)); start it with `loglama start-all`")
    }

    /// Every connection of the gateway's pool to the upstream stayed busy for the connect timeout: 503 (sent with
    /// `Retry-After`). The service itself may be fine; the client should come back shortly.
    static func upstreamBusy(_ upstream: Upstream) -> ServiceError {
        ServiceError(status: .serviceUnavailable, code: "upstream_busy",
                     message: "every gateway connection to \(upstream.service) is busy; retry shortly")
    }

    /// The upstream did not start answering in time: 504.
    static func upstreamTimeout(_ upstream: Upstream, after timeout: Duration) -> ServiceError {
        ServiceError(status: .gatewayTimeout, code: "upstream_timeout",
                     message: "\(upstream.service) at \(upstream.baseURL) did not answer within \(timeout)")
    }

    /// The upstream answered with something that is not HTTP, or hung up mid-answer: 502.
    static func badGateway(_ upstream: Upstream, _ detail: String) -> ServiceError {
        ServiceError(status: .badGateway, code: "bad_gateway",
                     message: "\(upstream.service) at \(upstream.baseURL) sent an invalid response: \(detail)")
    }

    /// The error's envelope with extra headers (`WWW-Authenticate`, `Retry-After`) that a thrown error cannot carry.
    func response(from request: Request, context: some RequestContext, headers: HTTPFields) throws -> Response {
        var response = try response(from: request, context: context)
        response.headers.append(contentsOf: headers)
        return response
    }
}
