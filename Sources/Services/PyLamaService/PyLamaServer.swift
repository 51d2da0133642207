import Hummingbird
import Logging
import Ollama
import PyLLM
import ServiceHTTP

/// The PyLama HTTP service (port 8003, `/api/pylama/*` at the gateway): Ollama model management and the markdown
/// workflow, over the same Ollama client and fix loop as PyLLM (programs run in BEXY). See `ModelRoutes`,
/// `WorkflowRoutes`; `GET /health` as PyLLM's.
public struct PyLamaServer: Sendable {
    public static let name = "pylama"
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - configuration: PyLLMConfiguration loaded for the service `pylama` (`PYLAMA_HOST`, `PYLAMA_PORT`, ...).
    ///   - centralPath: the central `.env` where `POST /models/default` keeps the choice (nil: memory only).
    ///   - sandbox: runs programs; by default BEXY over HTTP at `configuration.bexyURL`.
    public init(configuration: PyLLMConfiguration, centralPath: String?, sandbox: (any SandboxRunner)? = nil,
                logger: Logger? = nil, onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) {
        let defaultModel = DefaultModel(configuration: configuration.ollama, centralPath: centralPath)
        let runner = sandbox ?? BexyHTTPRunner(url: configuration.bexyURL, token: configuration.internalToken)
        application = LLMServiceApplication.make(name: Self.name, configuration: configuration, logger: logger,
                                                 onServerRunning: onServerRunning) { router in
            ModelRoutes(defaultModel: defaultModel, maxBodyBytes: configuration.maxBodyBytes).register(on: router)
            WorkflowRoutes(defaultModel: defaultModel, sandbox: runner, maxBodyBytes: configuration.maxBodyBytes)
                .register(on: router)
            HealthRoute(ollama: OllamaClient(configuration: configuration.ollama), service: Self.name)
                .register(on: router)
        }
    }

    /// Serve until SIGTERM or SIGINT.
    public func run() async throws {
        try await application.runService()
    }
}
