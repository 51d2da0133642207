import ServiceHTTP
import ServiceKit

/// Everything the LogLama server needs to start, in one value the CLI fills from flags and the central `.env`.
///
/// Keys (the CLI maps them from `LOGLAMA_*` settings; the defaults are the ones below):
/// - `host`: the address to bind, `127.0.0.1`.
/// - `port`: the TCP port, `5000`; `0` picks a free port (tests, benchmarks).
/// - `databasePath`: the SQLite file holding logs and the audit trail; its directory must exist.
/// - `maxBodyBytes`: the largest request body accepted, 8 MiB; larger bodies get 413.
/// - `retention`: how long logs are kept; audit records are never pruned.
/// - `services`: the base URL of every ecosystem service by name, which `GET /api/services` checks; by default
///   the `<SERVICE>_URL` defaults of `PyLamaConfiguration`, the CLI sets them from the loaded configuration.
public struct LogLamaConfiguration: Sendable, Equatable {
    /// The address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    public var host: String
    /// The TCP port; `0` lets the kernel pick one (see `onServerRunning` of `buildLogLamaApplication`).
    public var port: Int
    /// Path of the SQLite database file (created with its tables on first start).
    public var databasePath: String
    /// The largest request body, in bytes, any endpoint accepts; larger bodies are refused with 413.
    public var maxBodyBytes: Int
    /// Log retention: maximum age and row count.
    public var retention: LogRetention
    /// The base URL of each service of `Ecosystem.services`, by name (`loglama` -> `http://127.0.0.1:5000`).
    /// A service missing here is listed by `GET /api/services` as inactive, with an error naming its key.
    public var services: [String: String]
    /// The ecosystem's internal token (`PYLAMA_INTERNAL_TOKEN`): when set, every route but `/health` and the web page's
    /// static files needs `Authorization: Bearer <token>` (401 otherwise); nil serves without authentication (tests,
    /// or a loopback-only LogLama before `loglama init`).
    public var internalToken: String?
    /// How long `GET /api/services` waits for each service's `/health`. Default 1 s.
    public var serviceCheckTimeout: Duration = .seconds(1)
    /// How connections are treated: idle timeout (also the time a request head has to arrive) and header limits.
    public var connections = ServiceConnectionPolicy()

    /// The default request body limit: 8 MiB.
    public static let defaultMaxBodyBytes = 8 << 20

    /// A configuration; every value but the database path has a default.
    public init(host: String = "127.0.0.1", port: Int = 5000, databasePath: String,
                maxBodyBytes: Int = LogLamaConfiguration.defaultMaxBodyBytes, retention: LogRetention = LogRetention(),
                services: [String: String] = LogLamaConfiguration.serviceURLs(from: PyLamaConfiguration.defaults()),
                internalToken: String? = nil) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.maxBodyBytes = maxBodyBytes
        self.retention = retention
        self.services = services
        self.internalToken = internalToken
    }

    /// The base URL of every service of `Ecosystem.services` found in `values` under `<SERVICE>_URL` (the keys of
    /// `PyLamaConfiguration`), by service name.
    public static func serviceURLs(from values: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Ecosystem.services.compactMap { service in
            values[service.keyPrefix + "_URL"].map { (service.name, $0) }
        })
    }
}

/// How long logs are kept. Pruning deletes the oldest logs first; audit records are never pruned.
public struct LogRetention: Sendable, Equatable {
    /// Logs whose timestamp is older than this many days are deleted; `nil` keeps logs of any age.
    public var maxAgeDays: Int?
    /// At most this many logs are kept (the newest by timestamp); `nil` keeps any number.
    public var maxLogRows: Int?
    /// How often the server prunes (it also prunes once at start).
    public var interval: Duration

    /// A policy; by default 30 days, one million rows, pruned every ten minutes.
    public init(maxAgeDays: Int? = 30, maxLogRows: Int? = 1_000_000, interval: Duration = .seconds(600)) {
        self.maxAgeDays = maxAgeDays
        self.maxLogRows = maxLogRows
        self.interval = interval
    }

    /// Keeps everything: no age or size limit.
    public static var unlimited: LogRetention { LogRetention(maxAgeDays: nil, maxLogRows: nil) }
}
