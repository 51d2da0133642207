import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// Everything the BEXY service needs to start, in one value `bexy-server` fills from its flags and the central
/// `.env` (`PyLamaConfiguration`: real environment first, then the central file, a local `.env`, defaults).
///
/// Keys:
/// - `BEXY_HOST` (`127.0.0.1`), `BEXY_PORT` (`8000`; `0` picks a free port): where to listen.
/// - `BEXY_SLOTS` (the number of cores): how many sandboxes run at once.
/// - `BEXY_QUEUE` (`4 × slots`): how many accepted jobs may wait for a slot; beyond that 429.
/// - `BEXY_GRACE_SECONDS` (`30`): on SIGTERM/SIGINT, how long running jobs may finish before they are killed.
/// - `BEXY_MAX_CODE_BYTES` (1 MiB), `BEXY_MAX_STDIN_BYTES` (4 MiB), `BEXY_MAX_FILES_BYTES` (8 MiB, all file
///   contents together), `BEXY_MAX_BODY_BYTES` (16 MiB, the whole request body): larger inputs get 413.
/// - `PYLAMA_INTERNAL_TOKEN` (no default; `loglama init` generates it): the bearer token every route but
///   `/health` requires.
///
/// The sandbox's own settings (`BEXY_STATE_DIR`, `BEXY_RUNTIME_DIR`, `BEXY_PROFILES_DIR`, ...) are read by the
/// engine from the process environment, as for `bexy exec`.
public struct BexyServiceConfiguration: Sendable, Equatable {
    /// The address to bind.
    public var host: String
    /// The TCP port; 0 lets the kernel pick one.
    public var port: Int
    /// Concurrent sandboxes: one long-lived worker thread each.
    public var slots: Int
    /// Jobs that may wait for a free slot.
    public var queueCapacity: Int
    /// How long running jobs may finish after a shutdown signal before they are cancelled.
    public var grace: Duration
    /// The bearer token every route but `/health` requires.
    public var internalToken: String
    /// Input size caps.
    public var limits: InputLimits

    /// Caps on what one request may submit.
    public struct InputLimits: Sendable, Equatable {
        /// The program's source, in UTF-8 bytes.
        public var codeBytes: Int
        /// The program's stdin, in UTF-8 bytes.
        public var stdinBytes: Int
        /// All extra files' contents together, in UTF-8 bytes.
        public var filesBytes: Int
        /// The whole request body.
        public var bodyBytes: Int

        /// The defaults: 1 MiB of code, 4 MiB of stdin, 8 MiB of files, a 16 MiB body.
        public init(codeBytes: Int = 1 << 20, stdinBytes: Int = 4 << 20, filesBytes: Int = 8 << 20,
                    bodyBytes: Int = 16 << 20) {
            self.codeBytes = codeBytes
            self.stdinBytes = stdinBytes
            self.filesBytes = filesBytes
            self.bodyBytes = bodyBytes
        }
    }

    /// A configuration; `slots` defaults to the number of cores and the queue to four jobs per slot.
    public init(host: String = "127.0.0.1", port: Int = 8000, slots: Int? = nil, queueCapacity: Int? = nil,
                grace: Duration = .seconds(30), internalToken: String, limits: InputLimits = InputLimits()) {
        let slots = slots ?? Self.cores()
        self.host = host
        self.port = port
        self.slots = slots
        self.queueCapacity = queueCapacity ?? 4 * slots
        self.grace = grace
        self.internalToken = internalToken
        self.limits = limits
    }

    /// The keys above from `settings`; a non-nil argument (a command-line flag) wins over its key.
    ///
    /// - Throws: `ConfigurationError` naming the key whose value is not a valid number, or
    ///   `PYLAMA_INTERNAL_TOKEN` when it is missing.
    public static func load(from settings: PyLamaConfiguration,
                            environment: [String: String] = ProcessEnvironment.current(),
                            host: String? = nil, port: Int? = nil, slots: Int? = nil, queueCapacity: Int? = nil,
                            grace: Duration? = nil) throws(ConfigurationError) -> BexyServiceConfiguration {
        // PyLamaConfiguration keeps only the environment variables it knows; the other BEXY_ keys are read here.
        func value(_ key: String) -> String? { environment[key] ?? settings[key] }
        func number(_ key: String, minimum: Int) throws(ConfigurationError) -> Int? {
            guard let text = value(key) else { return nil }
            guard let number = Int(text), number >= minimum else {
                throw ConfigurationError(key: key, path: settings.centralPath,
                                         message: "'\(text)' is not a whole number of at least \(minimum)")
            }
            return number
        }
        guard let token = settings["PYLAMA_INTERNAL_TOKEN"], !token.isEmpty else {
            throw ConfigurationError(key: "PYLAMA_INTERNAL_TOKEN", path: settings.centralPath,
                                     message: "is not set; run `loglama init` to generate it")
        }
        let defaults = InputLimits()
        let graceSeconds = try number("BEXY_GRACE_SECONDS", minimum: 0)
        let configuredSlots = try number("BEXY_SLOTS", minimum: 1)
        let configuredQueue = try number("BEXY_QUEUE", minimum: 0)
        let configuredPort = try settings.port(of: "bexy")
        return BexyServiceConfiguration(
            host: host ?? settings.host(of: "bexy"), port: port ?? configuredPort, slots: slots ?? configuredSlots,
            queueCapacity: queueCapacity ?? configuredQueue, grace: grace ?? .seconds(graceSeconds ?? 30),
            internalToken: token,
            limits: InputLimits(
                codeBytes: try number("BEXY_MAX_CODE_BYTES", minimum: 1) ?? defaults.codeBytes,
                stdinBytes: try number("BEXY_MAX_STDIN_BYTES", minimum: 0) ?? defaults.stdinBytes,
                filesBytes: try number("BEXY_MAX_FILES_BYTES", minimum: 0) ?? defaults.filesBytes,
                bodyBytes: try number("BEXY_MAX_BODY_BYTES", minimum: 1) ?? defaults.bodyBytes))
    }

    /// The number of online cores (at least 1).
    public static func cores() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
