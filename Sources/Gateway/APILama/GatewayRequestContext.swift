import Hummingbird

/// The gateway's request context: Hummingbird's core storage plus the caller `AuthenticationMiddleware` found.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; `nil` on the open routes (health, OpenAPI, login).
    public var caller: Caller?

    /// A context with no caller yet.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
    }
}
