/// The body of `POST /execute` (and `POST /jobs`), as the original BEXY API shaped it:
/// `{code, stdin?, profile?, files? {relative path: content}, args?, timeout? (s), options? {timeout (s),
/// memory_limit (MiB)}, project? (host directory), artifacts? [relative path]}`. Unknown keys are ignored.
///
/// The one Swift description of this body: the BEXY service decodes with it, clients may encode with it.
public struct ExecuteRequestBody: Codable, Sendable, Equatable {
    /// The Python program, run as `main.py`.
    public var code: String
    /// The program's stdin (default: empty).
    public var stdin: String?
    /// The profile to run under (default: `strict`).
    public var profile: String?
    /// Extra files beside `main.py`: relative path -> content.
    public var files: [String: String]?
    /// `sys.argv[1:]`.
    public var args: [String]?
    /// A host directory under `BEXY_PROJECT_ROOTS`, copied into the working directory.
    public var project: String?
    /// Paths relative to the working directory, copied out after the job into the result's `artifacts`.
    public var artifacts: [String]?
    /// Wall-clock limit in seconds.
    public var timeout: Double?
    public var options: Options?

    /// `options`: the original BEXY API's limits.
    public struct Options: Codable, Sendable, Equatable {
        /// Wall-clock limit in seconds (the tighter of this and the top-level `timeout` applies).
        public var timeout: Double?
        /// `memory_limit`: memory limit in MiB.
        public var memoryLimit: Double?

        public init(timeout: Double? = nil, memoryLimit: Double? = nil) {
            self.timeout = timeout
            self.memoryLimit = memoryLimit
        }

        enum CodingKeys: String, CodingKey {
            case timeout
            case memoryLimit = "memory_limit"
        }
    }

    public init(code: String, stdin: String? = nil, profile: String? = nil, files: [String: String]? = nil,
                args: [String]? = nil, project: String? = nil, artifacts: [String]? = nil, timeout: Double? = nil,
                options: Options? = nil) {
        self.code = code
        self.stdin = stdin
        self.profile = profile
        self.files = files
        self.args = args
        self.project = project
        self.artifacts = artifacts
        self.timeout = timeout
        self.options = options
    }
}

/// The body of `POST /analyze`: only `code` is read; unknown keys are ignored.
public struct AnalyzeRequestBody: Codable, Sendable, Equatable {
    /// The Python program to analyze (it is not run).
    public var code: String

    public init(code: String) { self.code = code }
}
