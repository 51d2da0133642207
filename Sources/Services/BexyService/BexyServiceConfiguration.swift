import ServiceHTTP
import Bexy
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
/// - `BEXY_PROJECT_ROOTS` (none): colon-separated host directories a request's `project` may lie under;
///   `BEXY_MAX_PROJECT_BYTES` (16 MiB), `BEXY_MAX_PROJECT_FILES` (2,000), `BEXY_MAX_ARTIFACT_BYTES` (4 MiB),
///   `BEXY_MAX_ARTIFACTS_BYTES` (8 MiB): the project and artifact caps (`ProjectLimits`).
/// - `BEXY_JOB_RETENTION_SECONDS` (`600`), `BEXY_JOB_RETENTION_COUNT` (`100`): how long, and how many, ended jobs
///   of `POST /jobs` stay readable before they are forgotten.
/// - `PYLAMA_INTERNAL_TOKEN` (no default; `loglama init` generates it): the bearer token every route but
///   `/health` requires.
///
/// The sandbox's own settings (`BEXY_STATE_DIR`, `BEXY_RUNTIME_DIR`, `BEXY_PROFILES_DIR`, ...) are the engine's
/// `BexySettings`, which `bexy-server` builds from the same sources.
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
    /// How long and how many ended jobs are kept.
    public var jobRetention: JobRetention
    /// How connections are treated: idle timeout (also the time a request head has to arrive) and header limits.
    public var connections = ServiceConnectionPolicy()

    /// How long and how many ended jobs of `POST /jobs` stay readable (`GET /jobs/{id}`, their events).
    public struct JobRetention: Sendable, Equatable {
        /// How long after its end a job is kept.
        public var time: Duration
        /// How many ended jobs are kept at most (the most recently ended).
        public var count: Int

        /// The defaults: 10 minutes, 100 jobs.
        public init(time: Duration = .seconds(600), count: Int = 100) {
            self.time = time
            self.count = count
        }
    }

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
        /// Caps on a `project` copied in and the `artifacts` copied out (`BEXY_MAX_PROJECT_BYTES`, ...).
        public var project: ProjectLimits = ProjectLimits()
        /// The host directories under which `project` may name a directory (`BEXY_PROJECT_ROOTS`, colon-separated,
        /// resolved with realpath); empty: no project is accepted over HTTP.
        public var projectRoots: [String] = []

        /// The defaults: 1 MiB of code, 4 MiB of stdin, 8 MiB of files, a 16 MiB body.
        public init(codeBytes: Int = 1 << 20, stdinBytes: Int = BexySettings.defaultStdinBytes, filesBytes: Int = 8 << 20,
                    bodyBytes: Int = 16 << 20, project: ProjectLimits = ProjectLimits(), projectRoots: [String] = []) {
            self.project = project
            self.projectRoots = projectRoots
            self.codeBytes = codeBytes
            self.stdinBytes = stdinBytes
            self.filesBytes = filesBytes
            self.bodyBytes = bodyBytes
        }
    }

    /// A configuration; `slots` defaults to the number of cores and the queue to four jobs per slot.
    public init(host: String = "127.0.0.1", port: Int = 8000, slots: Int? = nil, queueCapacity: Int? = nil,
                grace: Duration = .seconds(30), internalToken: String, limits: InputLimits = InputLimits(),
                jobRetention: JobRetention = JobRetention()) {
        let slots = slots ?? Self.cores()
        self.host = host
        self.port = port
        self.slots = slots
        self.queueCapacity = queueCapacity ?? 4 * slots
        self.grace = grace
        self.internalToken = internalToken
        self.limits = limits
        self.jobRetention = jobRetention
    }

    /// The keys above from `settings`; a non-nil argument (a command-line flag) wins over its key.
    ///
    /// - Throws: `ConfigurationError` naming the key whose value is not a valid number, or
    ///   `PYLAMA_INTERNAL_TOKEN` when it is missing.
    public static func load(from settings: PyLamaConfiguration,
                            environment: [String: String] = ProcessEnvironment.current(),
                            host: String? = nil, port: Int? = nil, slots: Int? = nil, queueCapacity: Int? = nil,
                            grace: Duration? = nil, project: ProjectLimits = ProjectLimits())
        throws(ConfigurationError) -> BexyServiceConfiguration {
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
        let retentionDefaults = JobRetention()
        return BexyServiceConfiguration(
            host: host ?? settings.host(of: "bexy"), port: port ?? configuredPort, slots: slots ?? configuredSlots,
            queueCapacity: queueCapacity ?? configuredQueue, grace: grace ?? .seconds(graceSeconds ?? 30),
            internalToken: token,
            limits: InputLimits(
                codeBytes: try number("BEXY_MAX_CODE_BYTES", minimum: 1) ?? defaults.codeBytes,
                stdinBytes: try number("BEXY_MAX_STDIN_BYTES", minimum: 0) ?? defaults.stdinBytes,
                filesBytes: try number("BEXY_MAX_FILES_BYTES", minimum: 0) ?? defaults.filesBytes,
                bodyBytes: try number("BEXY_MAX_BODY_BYTES", minimum: 1) ?? defaults.bodyBytes,
                project: project, projectRoots: try projectRoots(value("BEXY_PROJECT_ROOTS"),
                                                                                   path: settings.centralPath)),
            jobRetention: JobRetention(
                time: try number("BEXY_JOB_RETENTION_SECONDS", minimum: 0).map { .seconds($0) } ?? retentionDefaults.time,
                count: try number("BEXY_JOB_RETENTION_COUNT", minimum: 0) ?? retentionDefaults.count))
    }

    /// `BEXY_PROJECT_ROOTS` as resolved absolute directories.
    ///
    /// - Throws: `ConfigurationError` for an entry that is not absolute or does not resolve.
    static func projectRoots(_ text: String?, path: String?) throws(ConfigurationError) -> [String] {
        var roots: [String] = []
        for entry in (text ?? "").split(separator: ":").map(String.init) {
            guard entry.hasPrefix("/"), let resolved = realpath(entry, nil) else {
                throw ConfigurationError(key: "BEXY_PROJECT_ROOTS", path: path,
                                         message: "'\(entry)' is not an existing absolute directory")
            }
            roots.append(String(cString: resolved))
            free(resolved)
        }
        return roots
    }

    /// The number of online cores (at least 1).
    public static func cores() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
