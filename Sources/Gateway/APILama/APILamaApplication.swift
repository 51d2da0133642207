import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import ServiceHTTP
import ServiceLifecycle

/// The gateway's identity, as `/health` reports it.
public enum APILamaService {
    /// The service name: `apilama`.
    public static let name = "apilama"
    /// The gateway's version.
    public static let version = "0.1.0"
}

/// Builds the gateway: opens the token database at `configuration.databasePath`, registers `PYLAMA_API_TOKEN` as
/// the admin token `default`, and wires the middleware and routes. Run it with `runService()`.
public func buildAPILamaApplication(configuration: APILamaConfiguration) async throws -> some ApplicationProtocol {
    let store = try TokenStore(path: configuration.databasePath)
    return try await buildAPILamaApplication(configuration: configuration, store: store)
}

/// Builds the gateway over an already open token store (tests keep a handle on it).
///
/// - Parameters:
///   - configuration: everything but `databasePath`, which is not used.
///   - store: the tokens and sessions.
///   - logger: the server's logger; by default one labelled `apilama`.
///   - onServerRunning: called once the server listens, with the port it is bound to.
public func buildAPILamaApplication(
    configuration: APILamaConfiguration,
    store: TokenStore,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    if let token = configuration.apiToken { try await store.registerDefault(token: token) }
    let logger = logger ?? Logger(label: APILamaService.name)
    // Resources before the client: a missing one must not leak it.
    let openAPIDocument = try OpenAPIDocument()
    let client = UpstreamClient(connectTimeout: configuration.connectTimeout, limits: configuration.connectionLimits)
    let signInPage = try SignInPage()
    let origins = Set(configuration.corsOrigins)
    let originPolicy = OriginPolicy(allowedOrigins: origins)

    let router = Router(context: GatewayRequestContext.self)
    // Order matters: the request id and CORS wrap everything, errors included; the error mapping wraps
    // authentication, which must run before the rate limit (buckets are per token) and the routes.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: CORSMiddleware(allowedOrigins: origins))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: MethodPolicyMiddleware(routes: openAPIDocument.routes))
    router.add(middleware: InternalRoutesMiddleware())
    router.add(middleware: AuthenticationMiddleware(store: store, origins: originPolicy))
    router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(configuration.rateLimit)))

    // A service with several instances (its URL lists them, or names them by DNS) gets a balancer.
    var balancers: [String: InstanceBalancer] = [:]
    for upstream in configuration.upstreams where !upstream.isPage {
        guard let source = InstanceSource(url: upstream.baseURL) else { continue }
        balancers[upstream.route] = InstanceBalancer(source: source, client: client.requests,
                                                     probeInterval: configuration.instanceProbeInterval)
    }
    HealthRoutes(upstreams: configuration.upstreams, client: client.requests, balancers: balancers).register(on: router)
    openAPIDocument.register(on: router)
    signInPage.register(on: router)
    SessionRoutes(store: store, origins: originPolicy, lifetime: configuration.sessionLifetime,
                  secureCookies: configuration.secureCookies).register(on: router)
    TokenRoutes(store: store).register(on: router)
    for upstream in configuration.upstreams {
        UpstreamProxy(upstream: upstream, client: client, internalToken: configuration.internalToken,
                      timeout: configuration.upstreamTimeout, maxBodyBytes: configuration.maxBodyBytes,
                      balancer: balancers[upstream.route])
            .register(on: router)
    }

    return Application(
        router: router,
        server: configuration.connections.server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: APILamaService.name),
        services: [client as any Service] + balancers.values.map { $0 as any Service },
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The HTTP clients that talk to the upstreams, as a service of the application: they are shut down after the
/// server has stopped (services stop in reverse order, the server first).
///
/// Two clients, two connection pools (see `UpstreamConnectionLimits`): `requests` for ordinary calls, `streams` for
/// event streams. Connection attempts are not retried, so a service that is down is reported (503) at once instead
/// of after the timeout; redirects are passed to the client, not followed; bodies are not decompressed.
final class UpstreamClient: Service, Sendable {
    /// Ordinary requests.
    let requests: HTTPClient
    /// Event streams (`Accept: text/event-stream`, or a path ending in `/events`).
    let streams: HTTPClient

    init(connectTimeout: Duration, limits: UpstreamConnectionLimits) {
        requests = Self.client(connectTimeout: connectTimeout, connections: limits.requests)
        streams = Self.client(connectTimeout: connectTimeout, connections: limits.streams)
    }

    /// The client for `request`: event streams have a pool of their own.
    func client(for request: Request) -> HTTPClient {
        let accept = request.headers[.accept] ?? ""
        let streaming = accept.contains("text/event-stream") || request.uri.path.hasSuffix("/events")
        return streaming ? streams : requests
    }

    private static func client(connectTimeout: Duration, connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout)),
            decompression: .disabled)
        // Idle connections are dropped before the services' own idle timeout closes them, so a request is never
        // sent on a connection the service is closing.
        configuration.connectionPool = .init(idleTimeout: ServiceConnectionPolicy.clientPoolIdleTimeout,
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await requests.shutdown()
        try await streams.shutdown()
    }
}
