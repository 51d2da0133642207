import Hummingbird
import ServiceHTTP

/// Applies `RateLimiter` to every authenticated request, by token name: an empty bucket answers 429 with
/// `Retry-After` (whole seconds, at least 1). Open routes (health, login) are not limited.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = context.caller, let wait = limiter.acquire(caller.name) else {
            return try await next(request, context)
        }
        let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        return try ServiceError.rateLimited(caller.name, retryAfterSeconds: seconds)
            .response(from: request, context: context, headers: [.retryAfter: String(seconds)])
    }
}
