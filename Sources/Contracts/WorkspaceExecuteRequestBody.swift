/// The body of BEXY's `POST /workspace/execute` and `POST /workspace/jobs` (internal routes SheLLama calls; the
/// gateway never exposes them): a command run in one of SheLLama's workspaces, bound read-write at `/workspace`.
///
/// `{workspace?, command? | argv?, cwd?, env?, stdin?, timeout? (s), memory_limit? (MiB), profile?}`: exactly one of
/// `command` (run as `/bin/sh -c COMMAND`) and `argv` (`argv[0]` looked up on the profile's `PATH` inside the job).
/// Unknown keys are ignored; a key that is present must hold its type (`null` is refused naming the key).
///
/// The one Swift description of this body: the BEXY service decodes with it, SheLLama may encode with it.
public struct WorkspaceExecuteRequestBody: Codable, Sendable, Equatable {
    /// The workspace's name (default `default`): the directory `SHELLAMA_ROOT/<workspace>`.
    public var workspace: String?
    /// A shell command, run as `/bin/sh -c COMMAND`.
    public var command: String?
    /// A program and its arguments, run without a shell.
    public var argv: [String]?
    /// The working directory relative to the workspace (default: its top).
    public var cwd: String?
    /// Added to the profile's environment (names `[A-Za-z_][A-Za-z0-9_]*`, not `PATH`, `HOME` or `LD_*`).
    public var env: [String: String]?
    /// The command's stdin (default: empty).
    public var stdin: String?
    /// Wall-clock limit in seconds (may only tighten the profile's).
    public var timeout: Double?
    /// `memory_limit`: memory limit in MiB (may only tighten the profile's).
    public var memoryLimit: Double?
    /// The profile (default `workspace`); it must have a workspace mount point.
    public var profile: String?

    enum CodingKeys: String, CodingKey {
        case workspace, command, argv, cwd, env, stdin, timeout, profile
        case memoryLimit = "memory_limit"
    }

    /// Decodes the body; a key holding `null` is a type mismatch at that key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        workspace = try container.decodeUnlessNull(String.self, forKey: .workspace)
        command = try container.decodeUnlessNull(String.self, forKey: .command)
        argv = try container.decodeUnlessNull([String].self, forKey: .argv)
        cwd = try container.decodeUnlessNull(String.self, forKey: .cwd)
        env = try container.decodeUnlessNull([String: String].self, forKey: .env)
        stdin = try container.decodeUnlessNull(String.self, forKey: .stdin)
        timeout = try container.decodeUnlessNull(Double.self, forKey: .timeout)
        memoryLimit = try container.decodeUnlessNull(Double.self, forKey: .memoryLimit)
        profile = try container.decodeUnlessNull(String.self, forKey: .profile)
    }

    public init(workspace: String? = nil, command: String? = nil, argv: [String]? = nil, cwd: String? = nil,
                env: [String: String]? = nil, stdin: String? = nil, timeout: Double? = nil, memoryLimit: Double? = nil,
                profile: String? = nil) {
        self.workspace = workspace
        self.command = command
        self.argv = argv
        self.cwd = cwd
        self.env = env
        self.stdin = stdin
        self.timeout = timeout
        self.memoryLimit = memoryLimit
        self.profile = profile
    }
}
