import Hummingbird
import ServiceHTTP

/// `GET /health` -> `{"status":"healthy","service":"loglama","version":"..."}` when the database answers,
/// else 503 with `"status":"unhealthy"`.
struct HealthRoutes<Context: RequestContext>: Sendable {
    let store: LogLamaStore

    func register(on router: Router<Context>) {
        router.get("/health") { _, context in
            do {
                try await store.ping()
                return try JSONResponse.make(Health(status: "healthy"))
            } catch {
                context.logger.error("health check failed", metadata: ["error": "\(error)"])
                return try JSONResponse.make(Health(status: "unhealthy"), status: .serviceUnavailable)
            }
        }
    }
}

private struct Health: Encodable {
    var status: String
    var service = LogLamaService.name
    var version = LogLamaService.version
}
