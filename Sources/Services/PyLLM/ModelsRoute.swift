import Hummingbird
import Ollama
import ServiceHTTP

/// `GET /models` -> `{status: "success", default, fallbacks, models: [installed models]}` (503 when Ollama is down).
struct ModelsRoute: Sendable {
    let ollama: OllamaClient

    func register(on router: Router<BasicRequestContext>) {
        router.get("/models") { _, _ in
            let models: [InstalledModel]
            do {
                models = try await ollama.installedModels()
            } catch {
                throw ServiceError(error)
            }
            return try JSONResponse.make(ModelList(default: ollama.configuration.defaultModel,
                                                   fallbacks: ollama.configuration.fallbackModels, models: models))
        }
    }
}

/// The answer of `GET /models` (PyLLM's and PyLama's).
public struct ModelList: Encodable, Sendable {
    public var status = "success"
    public var `default`: String
    public var fallbacks: [String]
    public var models: [InstalledModel]

    public init(default: String, fallbacks: [String], models: [InstalledModel]) {
        self.default = `default`
        self.fallbacks = fallbacks
        self.models = models
    }
}
