import Hummingbird
import Ollama
import ServiceHTTP

/// `GET /health` -> `{status: "healthy", service: "pyllm", version, ollama: {url, reachable, version?, error?}}`
/// (200 while PyLLM itself runs: Ollama's state is reported, not inherited); `GET /models` -> `{status:
/// "success", default, fallbacks, models: [installed models]}` (503 when Ollama is down).
struct HealthRoutes: Sendable {
    let ollama: OllamaClient
    let service: String

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in
            var upstream = Health.Upstream(url: ollama.configuration.host, reachable: false)
            do {
                upstream.version = try await ollama.version()
                upstream.reachable = true
            } catch {
                upstream.error = "\(error)"
            }
            return try JSONResponse.make(Health(service: service, ollama: upstream))
        }
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

struct Health: Encodable {
    var status = "healthy"
    var service: String
    var version = "1.0.0"
    var ollama: Upstream

    /// Whether Ollama answered `/api/version`, and what it said.
    struct Upstream: Encodable {
        var url: String
        var reachable: Bool
        var version: String?
        var error: String?
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
