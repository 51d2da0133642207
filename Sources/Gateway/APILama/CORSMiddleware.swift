import HTTPTypes
import Hummingbird
import ServiceHTTP

/// Cross-origin access for browsers, from an allowlist (`APILAMA_CORS_ORIGINS`).
///
/// A preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin gets 204 with the methods
/// and headers the gateway accepts; from any other origin, 403 without CORS headers, so the browser blocks the
/// call. Responses to an allowed origin echo it in `Access-Control-Allow-Origin` with
/// `Access-Control-Allow-Credentials: true` (never `*`), and `Vary: Origin` keeps caches from mixing them up.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    static var allowedMethods: String { "GET, HEAD, POST, PUT, PATCH, DELETE" }
    static var allowedHeaders: String { "Authorization, Content-Type, Last-Event-ID, X-Request-ID" }
    static var exposedHeaders: String { "Retry-After, X-Request-ID" }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = allowedOrigins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else {
                return try ServiceError.originNotAllowed(origin).response(from: request, context: context)
            }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = "600"
            return Self.allow(origin, on: response)
        }
        let response = try await next(request, context)
        return allowed ? Self.allow(origin, on: response) : response
    }

    /// `response` with the headers that let `origin` read it with credentials.
    private static func allow(_ origin: String, on response: Response) -> Response {
        var response = response
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlExposeHeaders] = exposedHeaders
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        return response
    }
}
