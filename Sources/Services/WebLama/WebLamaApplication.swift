import Contracts
import Hummingbird
import Logging
import ServiceHTTP

/// WebLama's identity, as `/health` reports it.
public enum WebLamaService {
    /// The service name: `weblama`.
    public static let name = "weblama"
    /// The service's version.
    public static let version = "0.1.0"
}

/// Builds WebLama: a static file server for the page (`/web/`, from `configuration.root`) and its libraries
/// (`/web/vendor/<name>/`, from where their packages installed them), with `SecurityHeadersMiddleware`'s policy on
/// every answer. It has no API of its own: the page talks to the gateway, which serves it under the same origin
/// (`/web/**` is forwarded here), so the session cookie, the CSRF check and `connect-src 'self'` work unchanged.
///
/// - `GET /health`: `{status:"healthy", service, version, root}`.
/// - `GET /`: 303 to the gateway's `/web/` (someone who opened WebLama's own port).
/// - `GET /web`: 308 to `/web/`.
///
/// - Throws: `WebLamaError` when the page or a library is missing: WebLama does not serve a page that cannot work.
public func buildWebLamaApplication(
    configuration: WebLamaConfiguration,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) throws(WebLamaError) -> some ApplicationProtocol {
    try configuration.checkFiles()
    let logger = logger ?? Logger(label: WebLamaService.name)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: FileMiddleware(configuration.root, urlBasePath: "/web", searchForIndexHtml: true,
                                          logger: logger))
    for library in configuration.libraries {
        router.add(middleware: FileMiddleware(library.directory, urlBasePath: library.urlPath, logger: logger))
    }
    router.get("/health") { _, _ in
        try JSONResponse.make(JSONValue.object([
            "status": .string("healthy"), "service": .string(WebLamaService.name),
            "version": .string(WebLamaService.version), "root": .string(configuration.root),
        ]))
    }
    let gatewayPage = configuration.apiURL + "/web/"
    router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: gatewayPage]) }
    router.get("/web") { request, _ in
        // The router matches `/web/` here too: that one is the page, which FileMiddleware serves on the 404.
        guard !request.uri.path.hasSuffix("/") else { throw HTTPError(.notFound) }
        return Response(status: .permanentRedirect, headers: [.location: "/web/"])
    }
    return Application(
        router: router,
        server: configuration.connections.server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: WebLamaService.name),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
