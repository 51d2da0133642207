import Hummingbird
import Logging
import ServiceHTTP

/// The HTTP application PyLLM and PyLama each run: the shared middleware (request id, error envelope, internal
/// token) first, then the service's routes, served with the ecosystem's connection policy.
public enum LLMServiceApplication {
    /// - Parameters:
    ///   - name: the service's name (server header, logger label).
    ///   - routes: registers the service's routes on the router (after the middleware).
    public static func make(name: String, configuration: PyLLMConfiguration, logger: Logger?,
                            onServerRunning: @escaping @Sendable (_ port: Int) async -> Void,
                            routes: (Router<BasicRequestContext>) -> Void)
        -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
        routes(router)
        return Application(
            router: router, server: configuration.connections.server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: name),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger ?? Logger(label: name))
    }
}
