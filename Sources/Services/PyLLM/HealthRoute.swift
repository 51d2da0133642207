import Hummingbird
import Ollama
import ServiceHTTP

/// `GET /health` -> `{status: "healthy", service, version, ollama: {url, reachable, version?, error?}}` (200 while
/// the service itself runs: Ollama's state is reported, not inherited). PyLLM's and PyLama's.
public struct HealthRoute: Sendable {
    let ollama: OllamaClient
    let service: String

    public init(ollama: OllamaClient, service: String) {
        self.ollama = ollama
        self.service = service
    }

    public func register(on router: Router<BasicRequestContext>) {
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
