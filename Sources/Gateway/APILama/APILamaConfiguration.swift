import ServiceHTTP
import ServiceKit

/// Everything the gateway needs to start, in one value the CLI fills from the central `.env` and its flags.
///
/// Keys (read by `load(settings:environment:)`; a real environment variable wins over the `.env` files):
/// - `APILAMA_HOST` (`127.0.0.1`), `APILAMA_PORT` (`8080`): where the gateway listens.
/// - `APILAMA_DB` (`$HOME/.pylama/apilama.db`): the SQLite file holding API tokens (hashed) and sessions.
/// - `BEXY_URL`, `LOGLAMA_URL`, `SHELLAMA_URL`, `PYLLM_URL`, `PYLAMA_URL`: the upstreams of `/api/bexy/*`,
///   `/api/loglama/*`, `/api/shellama/*`, `/api/getllm/*`, `/api/pylama/*`; `WEBLAMA_URL`, the page at `/web/`.
///   A comma-separated list, or one URL whose host is a DNS name, means several instances (`InstanceSource`).
/// - `APILAMA_INSTANCE_PROBE_SECONDS` (`1`): how often each instance of such a service is checked.
/// - `PYLAMA_API_TOKEN`: registered at start as the admin token `default` (optional).
/// - `PYLAMA_INTERNAL_TOKEN` (required): sent upstream as `Authorization: Bearer`; services refuse calls without it.
/// - `APILAMA_CORS_ORIGINS` (`http://127.0.0.1:8081,http://localhost:8081`, WebLama): comma-separated origins
///   allowed to call the gateway from a browser with credentials. `*` is refused.
/// - `APILAMA_RATE_PER_SECOND` (`20`), `APILAMA_RATE_BURST` (`40`): each token's bucket refills at the rate and
///   holds at most the burst.
/// - `APILAMA_MAX_BODY_BYTES` (8 MiB): the largest request body forwarded; larger ones get 413.
/// - `APILAMA_UPSTREAM_TIMEOUT` (`60` seconds): how long an upstream may take to start answering (then 504).
///   A streamed body (SSE) may last longer.
/// - `APILAMA_UPSTREAM_CONNECTIONS` (`256`): the most connections the gateway keeps open to one service for
///   ordinary requests (a long `/execute` holds one for its whole run).
/// - `APILAMA_STREAM_CONNECTIONS` (`64`): the most connections to one service for event streams (SSE), a pool of
///   their own so open streams never take the connections short requests need. A request that finds its pool
///   full for `connectTimeout` gets 503 `upstream_busy` with `Retry-After`.
/// - `APILAMA_SESSION_TTL` (`28800` seconds, 8 hours): the lifetime of a browser session.
/// - `APILAMA_SECURE_COOKIES` (`false`): mark the session cookie `Secure` (set it when TLS terminates in front).
public struct APILamaConfiguration: Sendable {
    /// The address to bind.
    public var host: String
    /// The TCP port; `0` lets the kernel pick one (tests).
    public var port: Int
    /// The token and session database.
    public var databasePath: String
    /// The route table: which path prefix goes to which service.
    public var upstreams: [Upstream]
    /// The token registered as admin `default` at start, if any.
    public var apiToken: String?
    /// The token the gateway presents to every upstream.
    public var internalToken: String
    /// Origins allowed to make credentialed browser calls (exact `scheme://host:port` strings).
    public var corsOrigins: [String]
    /// The per-token request rate.
    public var rateLimit: RateLimit
    /// The largest request body forwarded, in bytes.
    public var maxBodyBytes: Int
    /// How long an upstream may take to send its response head.
    public var upstreamTimeout: Duration
    /// How long connecting to an upstream may take before it counts as unavailable.
    public var connectTimeout: Duration
    /// The connection pools to each service: ordinary requests, and event streams apart.
    public var connectionLimits: UpstreamConnectionLimits
    /// How long a browser session lasts after login.
    public var sessionLifetime: Duration
    /// Whether the session cookie carries `Secure`.
    public var secureCookies: Bool
    /// How connections are treated: idle timeout (also the time a request head has to arrive) and header limits.
    public var connections = ServiceConnectionPolicy()
    /// How often each instance of a service with several is checked (and a DNS name resolved again).
    public var instanceProbeInterval: Duration = .seconds(1)

    /// The WebLama origins allowed by default.
    public static let defaultCORSOrigins = ["http://127.0.0.1:8081", "http://localhost:8081"]
    /// The default body limit: 8 MiB.
    public static let defaultMaxBodyBytes = 8 << 20

    /// A configuration; everything but the internal token and the database path has a default.
    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String,
                upstreams: [Upstream] = Upstream.routeTable(settings: PyLamaConfiguration.defaults()),
                apiToken: String? = nil, internalToken: String,
                corsOrigins: [String] = APILamaConfiguration.defaultCORSOrigins,
                rateLimit: RateLimit = RateLimit(perSecond: 20, burst: 40),
                maxBodyBytes: Int = APILamaConfiguration.defaultMaxBodyBytes,
                upstreamTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(2),
                connectionLimits: UpstreamConnectionLimits = UpstreamConnectionLimits(),
                sessionLifetime: Duration = .seconds(8 * 3600), secureCookies: Bool = false) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.upstreams = upstreams
        self.apiToken = apiToken
        self.internalToken = internalToken
        self.corsOrigins = corsOrigins
        self.rateLimit = rateLimit
        self.maxBodyBytes = maxBodyBytes
        self.upstreamTimeout = upstreamTimeout
        self.connectTimeout = connectTimeout
        self.connectionLimits = connectionLimits
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
    }

    /// Reads every key above from `settings` (the central and local `.env` with defaults), `environment` first.
    ///
    /// Throws `ConfigurationError` naming the key when a value is unusable or `PYLAMA_INTERNAL_TOKEN` is missing.
    public static func load(settings: PyLamaConfiguration,
                            environment: [String: String] = ProcessEnvironment.current())
        throws(ConfigurationError) -> APILamaConfiguration {
        let keys = ConfigurationKeys(settings: settings, environment: environment)
        guard let internalToken = keys["PYLAMA_INTERNAL_TOKEN"] else {
            throw ConfigurationError(key: "PYLAMA_INTERNAL_TOKEN", path: settings.centralPath,
                                     message: "is not set: run `loglama init` to generate the ecosystem's tokens")
        }
        let origins = (keys["APILAMA_CORS_ORIGINS"].map { $0.split(separator: ",").map { $0.trimmed } }
            ?? defaultCORSOrigins).filter { !$0.isEmpty }
        if origins.contains("*") {
            throw ConfigurationError(key: "APILAMA_CORS_ORIGINS", path: settings.centralPath,
                                     message: "`*` is not allowed with credentials: list the origins")
        }
        var configuration = APILamaConfiguration(
            host: settings.host(of: "apilama"),
            port: try settings.port(of: "apilama"),
            databasePath: databasePath(settings: settings, environment: environment),
            upstreams: Upstream.routeTable(settings: settings.values),
            apiToken: keys["PYLAMA_API_TOKEN"],
            internalToken: internalToken,
            corsOrigins: origins,
            rateLimit: RateLimit(perSecond: try keys.number("APILAMA_RATE_PER_SECOND", default: 20),
                                 burst: Int(try keys.number("APILAMA_RATE_BURST", default: 40))),
            maxBodyBytes: Int(try keys.number("APILAMA_MAX_BODY_BYTES", default: Double(defaultMaxBodyBytes))),
            upstreamTimeout: .milliseconds(Int(try keys.number("APILAMA_UPSTREAM_TIMEOUT", default: 60) * 1000)),
            connectionLimits: UpstreamConnectionLimits(
                requests: Int(try keys.number("APILAMA_UPSTREAM_CONNECTIONS",
                                              default: Double(UpstreamConnectionLimits.defaultRequests))),
                streams: Int(try keys.number("APILAMA_STREAM_CONNECTIONS",
                                             default: Double(UpstreamConnectionLimits.defaultStreams)))),
            sessionLifetime: .seconds(Int(try keys.number("APILAMA_SESSION_TTL", default: 28800))),
            secureCookies: ["1", "true", "yes"].contains(keys["APILAMA_SECURE_COOKIES"]?.lowercased() ?? ""))
        configuration.instanceProbeInterval = .milliseconds(
            Int(try keys.number("APILAMA_INSTANCE_PROBE_SECONDS", default: 1) * 1000))
        return configuration
    }

    /// `APILAMA_DB`, else `$HOME/.pylama/apilama.db`: what the token commands open without the rest.
    public static func databasePath(settings: PyLamaConfiguration,
                                    environment: [String: String] = ProcessEnvironment.current()) -> String {
        let keys = ConfigurationKeys(settings: settings, environment: environment)
        if let path = keys["APILAMA_DB"] { return path }
        return (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root") + "/.pylama/apilama.db"
    }
}

/// A token bucket's parameters: refill rate and capacity.
public struct RateLimit: Sendable, Equatable {
    /// Requests added to each bucket per second.
    public var perSecond: Double
    /// The most requests a bucket holds: how many may come at once after a quiet spell.
    public var burst: Int

    /// A rate and a capacity.
    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// Reads gateway keys the way every service does: the real environment, then the `.env` files.
///
/// `PyLamaConfiguration` takes only known keys from the environment, so keys of its own (`APILAMA_DB`, ...) are
/// looked up in `environment` first here.
private struct ConfigurationKeys {
    let settings: PyLamaConfiguration
    let environment: [String: String]

    subscript(key: String) -> String? {
        let value = environment[key] ?? settings[key]
        return value.flatMap { $0.trimmed.isEmpty ? nil : $0.trimmed }
    }

    /// A positive number, or `fallback` when the key is unset.
    func number(_ key: String, default fallback: Double) throws(ConfigurationError) -> Double {
        guard let text = self[key] else { return fallback }
        guard let value = Double(text), value > 0, value.isFinite else {
            throw ConfigurationError(key: key, path: settings.centralPath, message: "'\(text)' is not a positive number")
        }
        return value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
