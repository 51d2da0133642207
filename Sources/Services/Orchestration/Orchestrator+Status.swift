import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// One service's line of `status`: its state, process, address and live health.
public struct ServiceStatus: Sendable, Equatable, Encodable {
    public var service: String
    /// `running`, `stopped`, `not built` or `stale`.
    public var state: String
    /// The pid of a running service, or the dead one of a stale pid file.
    public var pid: Int32?
    public var port: Int?
    public var url: String
    /// Whether `GET <url>/health` answered 2xx just now.
    public var healthy: Bool
    /// The health check's round trip, when there was an answer.
    public var latencyMs: Double?
    /// Why the health check failed.
    public var healthError: String?
    /// Seconds since a running service was started (its pid file's start time).
    public var uptimeSeconds: Int64?

    enum CodingKeys: String, CodingKey {
        case service, state, pid, port, url, healthy
        case latencyMs = "latency_ms"
        case healthError = "health_error"
        case uptimeSeconds = "uptime_seconds"
    }

    /// Every key always present, `null` when it has no value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service, forKey: .service)
        try container.encode(state, forKey: .state)
        try container.encode(pid, forKey: .pid)
        try container.encode(port, forKey: .port)
        try container.encode(url, forKey: .url)
        try container.encode(healthy, forKey: .healthy)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(healthError, forKey: .healthError)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
    }

    /// One aligned line: service, state, pid, port, url, health, uptime.
    public var line: String {
        let health = healthy ? "healthy " + (latencyMs.map { Self.milliseconds($0) } ?? "")
            : "down (\(healthError ?? "unhealthy"))"
        return [service.padding(to: 9), state.padding(to: 10), (pid.map(String.init) ?? "-").padding(to: 8),
                (port.map(String.init) ?? "-").padding(to: 6), url.padding(to: 24), health.padding(to: 28),
                uptimeSeconds.map(Self.duration) ?? "-"].joined(separator: " ")
    }

    /// The header matching `line`.
    public static let header = ["SERVICE".padding(to: 9), "STATE".padding(to: 10), "PID".padding(to: 8),
                                "PORT".padding(to: 6), "URL".padding(to: 24), "HEALTH".padding(to: 28), "UPTIME"]
        .joined(separator: " ")

    static func milliseconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) ms"
    }

    /// `42s`, `3m12s`, `5h03m`, `2d04h`.
    static func duration(_ seconds: Int64) -> String {
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\(two(seconds % 60))s"
        case ..<86400: return "\(seconds / 3600)h\(two(seconds % 3600 / 60))m"
        default: return "\(seconds / 86400)d\(two(seconds % 86400 / 3600))h"
        }
    }
}

extension Orchestrator {
    /// Every service's status, in the port table's order, with all health checks made at once.
    public func status() async -> [ServiceStatus] {
        let checks = await HealthCheck.probeAll(configuration)
        let now = Int64(time(nil))
        return zip(Ecosystem.services, checks).map { service, check in
            let state = state(of: service.name)
            var status = ServiceStatus(service: service.name, state: state.name, pid: nil,
                                       port: try? configuration.port(of: service.name), url: check.url,
                                       healthy: check.active, latencyMs: check.latencyMs, healthError: check.error,
                                       uptimeSeconds: nil)
            switch state {
            case .running(let record):
                status.pid = record.pid
                status.uptimeSeconds = record.uptime(now: now)
            case .stale(let pid):
                status.pid = pid
            case .stopped, .notBuilt:
                break
            }
            return status
        }
    }
}
