import Hummingbird
import Ollama
import ServiceHTTP

/// `GET /health` -> `{status: "healthy", service, version, ollama: {url, reachable, version?, error?, checked_at?}}`
/// (200 while the service itself runs: Ollama's state is reported, not inherited). It answers at once: Ollama's
/// state is the last probe's (at most 5 s old), refreshed in the background, so a down or slow Ollama never
/// makes the service itself look unhealthy to `start-all` or a Kubernetes probe. PyLLM's and PyLama's.
public struct HealthRoute: Sendable {
    let service: String
    private let upstream: OllamaProbe

    public init(ollama: OllamaClient, service: String) {
        self.service = service
        upstream = OllamaProbe(ollama: ollama)
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in
            try JSONResponse.make(Health(service: service, ollama: await upstream.latest()))
        }
    }
}

/// The last answer of Ollama's `/api/version`, probed again in the background when older than 5 s.
actor OllamaProbe {
    private let ollama: OllamaClient
    private var last: Health.Upstream
    private var checkedAt: ContinuousClock.Instant?
    private var probing = false

    init(ollama: OllamaClient) {
        self.ollama = ollama
        last = Health.Upstream(url: ollama.configuration.host, reachable: false, error: "not checked yet")
    }

    func latest() -> Health.Upstream {
        if !probing, checkedAt.map({ ContinuousClock.now - $0 > .seconds(5) }) ?? true {
            probing = true
            Task { await self.record(await Self.probe(ollama)) }
        }
        return last
    }

    private func record(_ result: Health.Upstream) {
        last = result
        checkedAt = .now
        probing = false
    }

    private static func probe(_ ollama: OllamaClient) async -> Health.Upstream {
        var upstream = Health.Upstream(url: ollama.configuration.host, reachable: false)
        do {
            upstream.version = try await ollama.version(timeoutSeconds: 5)
            upstream.reachable = true
        } catch {
            upstream.error = "\(error)"
        }
        return upstream
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
