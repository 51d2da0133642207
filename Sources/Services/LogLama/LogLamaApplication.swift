import Hummingbird
import Logging
import NIOCore
import ServiceHTTP

/// LogLama's identity, as `/health` reports it.
public enum LogLamaService {
    /// The service name: `loglama`.
    public static let name = "loglama"
    /// The server's version.
    public static let version = "0.1.0"
    /// The default port from the services table.
    public static let defaultPort = 5000
    /// What answers without the internal token: the health check and the web page's static files (the page's own
    /// API calls still need it: read it through the gateway, `/api/loglama/`).
    public static let openPaths: Set<String> = ["/health", "/", "/static/loglama.js", "/static/loglama.css"]
}

/// Builds the LogLama server: opens (or creates) the database at `configuration.databasePath` and wires the
/// logging, audit and health routes. Run it with `runService()`; the retention pruner runs in its service group.
public func buildLogLamaApplication(configuration: LogLamaConfiguration) async throws -> some ApplicationProtocol {
    let store = try LogLamaStore(path: configuration.databasePath)
    return buildLogLamaApplication(configuration: configuration, store: store)
}

/// Builds the LogLama server over an already open store (tests and benchmarks keep a handle on it).
///
/// - Parameters:
///   - configuration: host, port (`0` picks a free one), body limit and retention; `databasePath` is not used.
///   - store: the storage the routes read and write.
///   - logger: the server's logger; by default one labelled `loglama`.
///   - onServerRunning: called once the server listens, with the port it is bound to.
public func buildLogLamaApplication(
    configuration: LogLamaConfiguration,
    store: LogLamaStore,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: LogLamaService.name)
    let router = Router(context: BasicRequestContext.self)
    // Middleware first: only routes registered after it are wrapped. The request id wraps the error mapping so
    // error responses carry the header too; the metrics wrap it too, so errors count under their response status.
    let metrics = LogLamaMetrics()
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
    router.add(middleware: ErrorMiddleware())
    if let token = configuration.internalToken {
        router.add(middleware: InternalTokenMiddleware(token: token, openPaths: LogLamaService.openPaths))
    }
    LogRoutes(store: store, maxBodyBytes: configuration.maxBodyBytes, metrics: metrics).register(on: router)
    AuditRoutes(store: store, maxBodyBytes: configuration.maxBodyBytes, metrics: metrics).register(on: router)
    HealthRoutes(store: store).register(on: router)
    ExportRoutes(store: store).register(on: router)
    WebRoutes().register(on: router)
    MetricsRoutes(store: store, metrics: metrics).register(on: router)
    ServicesRoutes(urls: configuration.services, timeout: TimeAmount(configuration.serviceCheckTimeout))
        .register(on: router)

    let retention = RetentionService(store: store, retention: configuration.retention, logger: logger)
    return Application(
        router: router,
        server: configuration.connections.server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: LogLamaService.name),
        services: [retention],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
