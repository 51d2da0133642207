#if canImport(Glibc)
import Glibc
#endif

import Contracts
import Hummingbird
import Logging
import ServiceHTTP
import ServiceKit

/// SheLLama's identity, as `/health` reports it.
public enum SheLLamaService {
    /// The service name: `shellama`.
    public static let name = "shellama"
    /// The service's version.
    public static let version = "0.1.0"
}

/// Builds SheLLama: the file, directory, shell and git routes over the workspaces of `configuration`, behind
/// the internal token (every route but `GET /health`). Run it with `runService()`.
///
/// `GET /health` answers `{status:"healthy", service, version, workspace_root, default_workspace}` (200), or
/// 503 `unhealthy` with `reason` when the workspace root is missing.
public func buildSheLLamaApplication(
    configuration: SheLLamaConfiguration,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: SheLLamaService.name)
    let store = WorkspaceStore(settings: configuration.workspaces, limits: configuration.limits)
    let access = WorkspaceAccess(store: store)
    let router = Router(context: BasicRequestContext.self)
    // The request id wraps everything; the legacy `message` is added to every error body, the token check's too.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ErrorMessageMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
    router.get("/health") { _, _ in
        let defaultExists = (try? store.open(WorkspaceSettings.defaultWorkspace)) != nil
        var members: [String: JSONValue] = [
            "status": .string("healthy"), "service": .string(SheLLamaService.name),
            "version": .string(SheLLamaService.version), "workspace_root": .string(configuration.workspaces.root),
            "default_workspace": .bool(defaultExists),
        ]
        var info = stat()
        let rootExists = stat(configuration.workspaces.root, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        if !rootExists {
            members["status"] = .string("unhealthy")
            members["reason"] = .string("the workspace root \(configuration.workspaces.root) does not exist: "
                                        + "run `loglama init`")
        }
        return try JSONResponse.make(JSONValue.object(members), status: rootExists ? .ok : .serviceUnavailable)
    }
    FileRoutes(access: access, maxBodyBytes: configuration.maxBodyBytes).register(on: router)
    DirectoryRoutes(access: access).register(on: router)
    let shell = ShellRoute(access: access, bexy: BexyClient(baseURL: configuration.bexyURL, token: configuration.internalToken))
    shell.register(on: router)
    GitRoutes(shell: shell, git: GitCommand(name: configuration.gitName, email: configuration.gitEmail)).register(on: router)
    return Application(
        router: router,
        server: configuration.connections.server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: SheLLamaService.name),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
