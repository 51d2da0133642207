import Hummingbird
import ServiceHTTP

/// Answers 404 `not_found` for the services' internal routes, which only other services call with the internal
/// token and the gateway never forwards: BEXY's workspace executions (`/api/bexy/workspace/*`, SheLLama's way
/// to run commands). Runs before authentication, so whether such a route exists is not revealed to anyone.
struct InternalRoutesMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The gateway path prefixes never forwarded, as segments.
    static var internalPrefixes: [[Substring]] { [["api", "bexy", "workspace"]] }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        // A path GatewayPath refuses is answered by the routes (400); only well-formed paths are matched here.
        if let segments = try? GatewayPath.segments(of: request.uri.path),
           Self.internalPrefixes.contains(where: { segments.starts(with: $0) }) {
            throw ServiceError.notFound("no route for \(request.method) \(request.uri.path)")
        }
        return try await next(request, context)
    }
}
