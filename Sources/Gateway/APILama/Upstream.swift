import ServiceKit

/// One entry of the route table: requests under `/api/<route>/` go to `baseURL`, the prefix stripped.
public struct Upstream: Sendable, Equatable {
    /// The path segment after `/api/` (`bexy`, `getllm`).
    public var route: String
    /// The service of the port table behind it (`bexy`, `pyllm`), named in errors and health reports.
    public var service: String
    /// The service's base URL (`http://127.0.0.1:8000`), without a trailing slash.
    public var baseURL: String

    /// An entry; a trailing `/` of `baseURL` is dropped.
    public init(route: String, service: String, baseURL: String) {
        self.route = route
        self.service = service
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The gateway path prefix: `/api/bexy`.
    public var prefix: String { "/api/" + route }

    /// The route segment and the service it names, in the order `/api/health` reports them.
    public static let routes: [(route: String, service: String)] = [
        ("bexy", "bexy"), ("loglama", "loglama"), ("shellama", "shellama"), ("getllm", "pyllm"), ("pylama", "pylama"),
    ]

    /// The route table for `settings` (the `<SERVICE>_URL` keys of `PyLamaConfiguration`).
    public static func routeTable(settings: [String: String]) -> [Upstream] {
        routes.map { route, service in
            let descriptor = Ecosystem.service(service)
            let fallback = "http://127.0.0.1:\(descriptor?.defaultPort ?? 0)"
            return Upstream(route: route, service: service, baseURL: settings[service.uppercased() + "_URL"] ?? fallback)
        }
    }
}
