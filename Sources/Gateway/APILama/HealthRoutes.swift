import AsyncHTTPClient
import Hummingbird
import ServiceHTTP
import ServiceKit

/// `GET /health`: the gateway alone, as every service answers it (what `loglama start-all` polls).
/// `GET /api/health`: the gateway plus a live `GET /health` of every routed service, with its latency.
/// Both are open. `status` is `healthy` when every routed service is active, `degraded` otherwise; either way
/// the answer is 200, since the gateway itself is up.
struct HealthRoutes {
    let upstreams: [Upstream]
    let client: HTTPClient
    /// The services with several instances: reported from their balancer's last checks, each instance listed.
    let balancers: [String: InstanceBalancer]

    /// `GET /health`.
    struct GatewayHealth: Encodable {
        var status = "healthy"
        var service = APILamaService.name
        var version = APILamaService.version
    }

    /// `GET /api/health`.
    struct EcosystemHealth: Encodable {
        var status: String
        var service = APILamaService.name
        var version = APILamaService.version
        var services: [ServiceHealth]
    }

    /// One routed service's check.
    struct ServiceHealth: Encodable {
        var name: String
        var route: String
        var url: String
        var active: Bool
        var httpStatus: Int?
        var latencyMs: Double?
        var error: String?
        var instances: [InstanceHealth]?

        enum CodingKeys: String, CodingKey {
            case name, route, url, active, error, instances
            case httpStatus = "http_status"
            case latencyMs = "latency_ms"
        }
    }

    /// One instance of a service with several, as its balancer last saw it.
    struct InstanceHealth: Encodable {
        var url: String
        var active: Bool
        var slots: Int
        var load: Int
        var inFlight: Int

        enum CodingKeys: String, CodingKey {
            case url, active, slots, load
            case inFlight = "in_flight"
        }
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/health") { _, _ in try JSONResponse.make(GatewayHealth()) }
        router.get("/api/health") { _, _ in
            let services = await probe()
            return try JSONResponse.make(EcosystemHealth(
                status: services.allSatisfy(\.active) ? "healthy" : "degraded", services: services))
        }
    }

    /// Every routed service checked at once, in route-table order.
    private func probe() async -> [ServiceHealth] {
        await withTaskGroup(of: (Int, ServiceHealth).self) { group in
            for (index, upstream) in upstreams.enumerated() {
                if let balancer = balancers[upstream.route] {
                    let instances = balancer.snapshot.map {
                        InstanceHealth(url: $0.url, active: $0.healthy, slots: $0.slots, load: $0.load, inFlight: $0.inFlight)
                    }
                    let active = instances.contains(where: \.active)
                    group.addTask {
                        (index, ServiceHealth(name: upstream.service, route: upstream.prefix, url: upstream.baseURL,
                                              active: active, error: active ? nil : "no instance is healthy",
                                              instances: instances))
                    }
                    continue
                }
                group.addTask {
                    let check = await HealthCheck.probe(service: upstream.service, url: upstream.baseURL, client: client)
                    return (index, ServiceHealth(name: check.service, route: upstream.prefix, url: check.url,
                                                 active: check.active, httpStatus: check.httpStatus,
                                                 latencyMs: check.latencyMs, error: check.error))
                }
            }
            var results: [(Int, ServiceHealth)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
