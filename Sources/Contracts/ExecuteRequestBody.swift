/// The body of `POST /execute` (and `POST /jobs`), as the original BEXY API shaped it:
/// `{code, stdin?, profile?, files? {relative path: content}, args?, timeout? (s), options? {timeout (s),
/// memory_limit (MiB)}, project? (host directory), artifacts? [relative path]}`. Unknown keys are ignored; a key
/// that is present must hold its type: `null` is refused naming the key (`"timeout": null` is not "no timeout";
/// leave the key out for the default), as the OpenAPI document declares no field nullable.
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

        /// Decodes `options`; a key holding `null` is a type mismatch at that key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            timeout = try container.decodeUnlessNull(Double.self, forKey: .timeout)
            memoryLimit = try container.decodeUnlessNull(Double.self, forKey: .memoryLimit)
        }
    }

    enum CodingKeys: String, CodingKey {
        case code, stdin, profile, files, args, project, artifacts, timeout, options
    }

    /// Decodes the body; a key holding `null` is a type mismatch at that key (`JSONBody` answers 400 naming it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        stdin = try container.decodeUnlessNull(String.self, forKey: .stdin)
        profile = try container.decodeUnlessNull(String.self, forKey: .profile)
        files = try container.decodeUnlessNull([String: String].self, forKey: .files)
        args = try container.decodeUnlessNull([String].self, forKey: .args)
        project = try container.decodeUnlessNull(String.self, forKey: .project)
        artifacts = try container.decodeUnlessNull([String].self, forKey: .artifacts)
        timeout = try container.decodeUnlessNull(Double.self, forKey: .timeout)
        options = try container.decodeUnlessNull(Options.self, forKey: .options)
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

extension KeyedDecodingContainer {
    /// The value at `key`, nil when the key is absent, and a `typeMismatch` at `key` when it holds `null`.
    func decodeUnlessNull<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw DecodingError.typeMismatch(type, DecodingError.Context(
                codingPath: codingPath + [key], debugDescription: "null is not allowed; leave the key out instead"))
        }
        return try decode(type, forKey: key)
    }
}

/// The body of `POST /analyze`: only `code` is read; unknown keys are ignored.
public struct AnalyzeRequestBody: Codable, Sendable, Equatable {
    /// The Python program to analyze (it is not run).
    public var code: String

    public init(code: String) { self.code = code }
}
