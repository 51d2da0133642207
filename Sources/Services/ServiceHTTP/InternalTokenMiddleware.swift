import Hummingbird

/// Lets a request through only when it carries `Authorization: Bearer <internal token>`: how a service knows
/// the call comes from the gateway or another service of the ecosystem (`PYLAMA_INTERNAL_TOKEN`), not from
/// anyone who can reach its port. Requests for `openPaths` (health checks) pass without it.
///
/// Anything else gets a 401 error envelope (code `unauthorized`) with `WWW-Authenticate: Bearer`. The token is
/// compared in constant time; an empty configured token accepts nothing.
public struct InternalTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]
    private let openPaths: Set<String>

    /// - Parameters:
    ///   - token: the shared internal token.
    ///   - openPaths: exact paths served without the token; `/health` by default.
    public init(token: String, openPaths: Set<String> = ["/health"]) {
        self.token = Array(token.utf8)
        self.openPaths = openPaths
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) || isAuthorized(request.headers[.authorization]) {
            return try await next(request, context)
        }
        let problem = request.headers[.authorization] == nil
            ? "this service needs `Authorization: Bearer <PYLAMA_INTERNAL_TOKEN>`"
            : "the bearer token is not this ecosystem's internal token"
        var response = try ServiceError(status: .unauthorized, code: "unauthorized", message: problem)
            .response(from: request, context: context)
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    private func isAuthorized(_ header: String?) -> Bool {
        guard !token.isEmpty, let header else { return false }
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count,
              header.utf8.prefix(scheme.utf8.count).map({ $0 | 0x20 }).elementsEqual(scheme.utf8) else { return false }
        return Self.constantTimeEqual(Array(header.utf8.dropFirst(scheme.utf8.count)), token)
    }

    /// Whether `given` equals `secret`, in a time that depends only on the secret's length.
    static func constantTimeEqual(_ given: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference = given.count == secret.count ? 0 : 1
        for index in secret.indices {
            difference |= Int((index < given.count ? given[index] : 0) ^ secret[index])
        }
        return difference == 0
    }
}
