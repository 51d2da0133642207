import AsyncHTTPClient
import NIOCore

/// One real health check: `GET <url>/health` over HTTP, timed.
///
/// A service is *active* when it answered 2xx within the timeout. Everything else (connection refused, a
/// timeout, a 503, garbage) is inactive, with the reason in `error`.
public struct HealthCheck: Sendable, Equatable {
    /// The service's name from the port table.
    public var service: String
    /// The base URL checked (`http://127.0.0.1:5000`).
    public var url: String
    /// True when `/health` answered 2xx.
    public var active: Bool
    /// The HTTP status, when there was a response.
    public var httpStatus: Int?
    /// Round-trip time in milliseconds, when there was a response.
    public var latencyMs: Double?
    /// Why the service is not active.
    public var error: String?

    public init(service: String, url: String, active: Bool, httpStatus: Int? = nil, latencyMs: Double? = nil,
                error: String? = nil) {
        self.service = service
        self.url = url
        self.active = active
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.error = error
    }

    /// Check `url + "/health"` with `client`.
    public static func probe(service: String, url: String, client: HTTPClient = FailFastClient.shared,
                             timeout: TimeAmount = .seconds(2)) async -> HealthCheck {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let started = ContinuousClock.now
        do {
            let request = HTTPClientRequest(url: base + "/health")
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000
                + Double(elapsed.components.attoseconds) / 1e15
            let status = Int(response.status.code)
            let ok = (200..<300).contains(status)
            return HealthCheck(service: service, url: base, active: ok, httpStatus: status, latencyMs: milliseconds,
                               error: ok ? nil : "GET /health answered \(status)")
        } catch {
            return HealthCheck(service: service, url: base, active: false, error: Self.describe(error))
        }
    }

    /// Check every service of `configuration` at once, in the port table's order.
    public static func probeAll(_ configuration: PyLamaConfiguration, client: HTTPClient = FailFastClient.shared,
                                timeout: TimeAmount = .seconds(2)) async -> [HealthCheck] {
        await withTaskGroup(of: (Int, HealthCheck).self) { group in
            for (index, service) in Ecosystem.services.enumerated() {
                let url = configuration.url(of: service.name)
                group.addTask { (index, await probe(service: service.name, url: url, client: client, timeout: timeout)) }
            }
            var results: [(Int, HealthCheck)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "timed out" }
        if text.contains("connection refused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return "connection refused"
        }
        return text
    }
}
