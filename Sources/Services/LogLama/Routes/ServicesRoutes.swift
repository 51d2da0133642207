import FoundationEssentials
import Hummingbird
import NIOCore
import ServiceHTTP
import ServiceKit

/// `GET /api/services` -> `{"services": [{name, description, default_port, port, url, active, latency_ms, error}]}`:
/// one entry per service of the port table (`Ecosystem.services`, LogLama included), in its order.
///
/// `active` comes from a real `GET <url>/health` made for this request, to every service at once, each given
/// `timeout`: a 2xx in time is active. `port` is the one the configured URL names, `default_port` the port
/// table's; `latency_ms` is set when the service answered, `error` says why a service is not active.
struct ServicesRoutes<Context: RequestContext>: Sendable {
    /// The base URL of each service, by name (`LogLamaConfiguration.services`).
    let urls: [String: String]
    /// How long each health check may take.
    var timeout: TimeAmount = .seconds(1)

    func register(on router: Router<Context>) {
        router.get("/api/services") { _, _ in try JSONResponse.make(ServiceListing(services: await statuses())) }
    }

    /// Every service's status, checked concurrently, in the port table's order.
    private func statuses() async -> [ServiceStatus] {
        await withTaskGroup(of: (Int, ServiceStatus).self) { group in
            for (index, service) in Ecosystem.services.enumerated() {
                group.addTask { (index, await status(of: service)) }
            }
            var statuses: [(Int, ServiceStatus)] = []
            for await status in group { statuses.append(status) }
            return statuses.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func status(of service: ServiceDescriptor) async -> ServiceStatus {
        guard let url = urls[service.name] else {
            return ServiceStatus(service, check: HealthCheck(
                service: service.name, url: "", active: false,
                error: "no URL configured for \(service.name): set \(service.keyPrefix)_URL"))
        }
        return ServiceStatus(service, check: await HealthCheck.probe(service: service.name, url: url, timeout: timeout))
    }
}

private struct ServiceListing: Encodable {
    var services: [ServiceStatus]
}

/// One element of `services`; every key is present, `null` when it has no value.
private struct ServiceStatus: Encodable {
    var name: String
    var description: String
    var defaultPort: Int
    var port: Int?
    var url: String?
    var active: Bool
    var latencyMs: Double?
    var error: String?

    init(_ service: ServiceDescriptor, check: HealthCheck) {
        name = service.name
        description = service.description
        defaultPort = service.defaultPort
        url = check.url.isEmpty ? nil : check.url
        port = url.flatMap(Self.port(of:))
        active = check.active
        latencyMs = check.latencyMs
        error = check.error
    }

    /// The port `url` names, or its scheme's default (80 for http, 443 for https).
    private static func port(of url: String) -> Int? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased() else { return nil }
        return parsed.port ?? ["http": 80, "https": 443][scheme]
    }

    enum CodingKeys: String, CodingKey {
        case name, description, port, url, active, error
        case defaultPort = "default_port"
        case latencyMs = "latency_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(defaultPort, forKey: .defaultPort)
        try container.encode(port, forKey: .port)
        try container.encode(url, forKey: .url)
        try container.encode(active, forKey: .active)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(error, forKey: .error)
    }
}
