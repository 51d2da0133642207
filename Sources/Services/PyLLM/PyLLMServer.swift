import Hummingbird
import Logging
import Ollama
import ServiceHTTP

/// The PyLLM HTTP service (port 8001, `/api/getllm/*` at the gateway): generation, code, fixes and the
/// fix-and-run loop over Ollama, with programs run in BEXY. See `GenerationRoutes`, `CodeRoutes`, `ModelsRoute`,
/// `HealthRoute`.
public struct PyLLMServer: Sendable {
    public static let name = "pyllm"
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - configuration: where to listen, the token, BEXY's and Ollama's addresses, the body cap.
    ///   - sandbox: runs programs; by default BEXY over HTTP at `configuration.bexyURL`.
    ///   - onServerRunning: called once the server listens, with its port.
    public init(configuration: PyLLMConfiguration, sandbox: (any SandboxRunner)? = nil, logger: Logger? = nil,
                onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) {
        let ollama = OllamaClient(configuration: configuration.ollama)
        let runner = sandbox ?? BexyHTTPRunner(url: configuration.bexyURL, token: configuration.internalToken)
        application = LLMServiceApplication.make(name: Self.name, configuration: configuration, logger: logger,
                                                 onServerRunning: onServerRunning) { router in
            let generation = GenerationRoutes(ollama: ollama, maxBodyBytes: configuration.maxBodyBytes)
            generation.register(on: router)
            CodeRoutes(generation: generation, fixAndRun: FixAndRun(ollama: ollama, sandbox: runner),
                       maxBodyBytes: configuration.maxBodyBytes).register(on: router)
            HealthRoute(ollama: ollama, service: Self.name).register(on: router)
            ModelsRoute(ollama: ollama).register(on: router)
        }
    }

    /// Serve until SIGTERM or SIGINT.
    public func run() async throws {
        try await application.runService()
    }
}
