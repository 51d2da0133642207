import ServiceKit

/// One entry of the route table: requests under `/api/<route>/` go to `baseURL`, the prefix stripped; a page's
/// requests (`isPage`, WebLama's `/web/`) go there whole.
public struct Upstream: Sendable, Equatable {
    /// The path segment after `/api/` (`bexy`, `getllm`).
    public var route: String
    /// The service of the port table behind it (`bexy`, `pyllm`), named in errors and health reports.
    public var service: String
    /// The service's base URL (`http://127.0.0.1:8000`), without a trailing slash.
    public var baseURL: String
    /// Static files for people, open to everyone: served at `/<route>/`, the path forwarded whole, without the
    /// internal token, the caller's name or the client's credentials.
    public var isPage: Bool

    /// An entry; a trailing `/` of `baseURL` is dropped.
    public init(route: String, service: String, baseURL: String, isPage: Bool = false) {
        self.route = route
        self.service = service
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.isPage = isPage
    }

    /// The gateway path prefix: `/api/bexy`, or a page's `/web`.
    public var prefix: String { isPage ? "/" + route : "/api/" + route }

    /// The route segment and the service it names, in the order `/api/health` reports them; WebLama's page last.
    public static let routes: [(route: String, service: String, isPage: Bool)] = [
        ("bexy", "bexy", false), ("loglama", "loglama", false), ("shellama", "shellama", false),
        ("getllm", "pyllm", false), ("pylama", "pylama", false), ("web", "weblama", true),
    ]

    /// The route table for `settings` (the `<SERVICE>_URL` keys of `PyLamaConfiguration`).
    public static func routeTable(settings: [String: String]) -> [Upstream] {
        routes.map { route, service, isPage in
            let descriptor = Ecosystem.service(service)
            let fallback = "http://127.0.0.1:\(descriptor?.defaultPort ?? 0)"
            return Upstream(route: route, service: service, baseURL: settings[service.uppercased() + "_URL"] ?? fallback,
                            isPage: isPage)
        }
    }
}
