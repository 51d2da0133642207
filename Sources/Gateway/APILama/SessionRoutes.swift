import Hummingbird
import ServiceHTTP
import ServiceKit

/// Browser sign-in: `POST /api/session {"token": "..."}` exchanges a token for a session cookie
/// (see `SessionCookie`); `GET /api/session` says who is signed in; `DELETE /api/session` ends the session and
/// clears the cookie.
///
/// Sign-in is open (the token is the credential) but refused from a browser origin that `OriginPolicy` does not
/// allow (neither in the allowlist nor the gateway's own).
struct SessionRoutes {
    let store: TokenStore
    let origins: OriginPolicy
    let lifetime: Duration
    let secureCookies: Bool

    struct Login: Decodable {
        var token: String
    }

    /// The answer to a sign-in.
    struct Session: Encodable {
        var status = "ok"
        var name: String
        var role: Role
        var expiresAt: String

        enum CodingKeys: String, CodingKey {
            case status, name, role
            case expiresAt = "expires_at"
        }
    }

    struct Done: Encodable {
        var status = "ok"
    }

    /// Who is signed in (or calling with a token).
    struct Identity: Encodable {
        var status = "ok"
        var name: String
        var role: Role
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/api/session") { request, context in try await login(request, context: context) }
        router.get("/api/session") { _, context in
            guard let caller = context.caller else { throw ServiceError.internalError("session route without a caller") }
            return try JSONResponse.make(Identity(name: caller.name, role: caller.role))
        }
        router.delete("/api/session") { request, context in
            if case .session(let selector) = context.caller?.credential {
                try await store.closeSession(selector: selector)
            }
            var response = try JSONResponse.make(Done())
            response.headers[.setCookie] = SessionCookie.clear(secure: secureCookies)
            return response
        }
    }

    private func login(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        if let origin = request.headers[.origin], !origins.allows(origin, in: request) {
            throw ServiceError.originNotAllowed(origin)
        }
        let login = try JSONBody.decode(Login.self, from: try await JSONBody.read(request, limit: 64 * 1024),
                                        root: "body")
        guard let token = try await store.authenticate(token: login.token) else {
            return try ServiceError.unauthorized("the token is unknown or revoked")
                .response(from: request, context: context, headers: [.wwwAuthenticate: "Bearer realm=\"apilama\""])
        }
        let ticket = try await store.openSession(name: token.name, lifetime: lifetime)
        var response = try JSONResponse.make(Session(
            name: token.name, role: token.role,
            expiresAt: UTCTimestamp.format(milliseconds: ticket.expiresAtMilliseconds)))
        response.headers[.setCookie] = SessionCookie.set(ticket.cookieValue, lifetime: lifetime, secure: secureCookies)
        return response
    }
}
