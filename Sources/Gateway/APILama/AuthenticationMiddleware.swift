import Hummingbird
import ServiceHTTP

/// Finds the caller of every request that is not open (`AccessPolicy.isOpen`) and checks its role.
///
/// The credential is `Authorization: Bearer <token>` or, failing that header, the session cookie. A request
/// authenticated by the cookie that changes state (any method but GET, HEAD and OPTIONS) must also send an
/// `Origin` that `OriginPolicy` allows (the CORS allowlist or the gateway's own): a page on another site cannot make
/// the browser act for its user. Answers 401 (with `WWW-Authenticate`) when the credential is missing, unknown,
/// revoked or expired, and 403 when the role does not allow the request. A browser navigating to a page (a GET
/// that accepts `text/html`) without a valid credential is sent to the sign-in page instead (303), which returns
/// it to the page once signed in.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let store: TokenStore
    let origins: OriginPolicy

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = try GatewayPath.segments(of: request.uri.path)
        if AccessPolicy.isOpen(request.method, segments: segments) {
            return try await next(request, context)
        }
        let caller: Caller
        switch try await identify(request) {
        case .success(let found): caller = found
        case .failure(let error):
            if let signIn = SignInPage.redirect(for: request) { return signIn }
            return try error.response(from: request, context: context,
                                      headers: [.wwwAuthenticate: "Bearer realm=\"apilama\""])
        }
        let required = AccessPolicy.requiredRole(request.method, segments: segments)
        guard caller.role.satisfies(required) else {
            throw ServiceError.forbidden(caller, needs: required, request.method, request.uri.path)
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }

    /// The caller, or the 401 to answer.
    private func identify(_ request: Request) async throws -> Result<Caller, ServiceError> {
        if let authorization = request.headers[.authorization] {
            guard let token = Self.bearerToken(authorization) else {
                return .failure(.unauthorized("the Authorization header must be `Bearer <token>`"))
            }
            guard let found = try await store.authenticate(token: token) else {
                return .failure(.unauthorized("the token is unknown or revoked"))
            }
            return .success(Caller(name: found.name, role: found.role, credential: .bearer))
        }
        if let cookie = SessionCookie.value(in: request.headers) {
            guard let caller = try await store.resolveSession(cookieValue: cookie) else {
                return .failure(.unauthorized("the session has expired or ended: sign in again at POST /api/session"))
            }
            if ![.get, .head, .options].contains(request.method) {
                let origin = request.headers[.origin]
                guard let origin, origins.allows(origin, in: request) else { throw ServiceError.originRequired(origin) }
            }
            return .success(caller)
        }
        return .failure(.unauthorized(
            "a token is required: send `Authorization: Bearer <token>` or sign in at POST /api/session"))
    }

    /// The token of a `Bearer` credential (the scheme is case-insensitive), or `nil`.
    static func bearerToken(_ authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmed
        return token.isEmpty ? nil : token
    }
}
