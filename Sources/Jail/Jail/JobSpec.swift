/// What a job runs: an interpreter on a script, each part kept apart (the warm path starts the interpreter with
/// its flags ahead of time and hands over the script and its arguments later), or a plain program and its
/// arguments (`init(program:arguments:)`, always run cold).
public struct JobCommand: Sendable, Hashable {
    /// Absolute path of the interpreter (or plain program) inside the job's root (e.g. `/usr/bin/python3`).
    public var interpreter: String
    /// The interpreter's options, before the script (`-B`); a plain program's arguments.
    public var interpreterFlags: [String]
    /// The script: a file of the job's `files`, its path relative to the working directory; nil for a plain
    /// program.
    public var script: String?
    /// The script's own arguments, after it.
    public var scriptArguments: [String]

    public init(interpreter: String, interpreterFlags: [String], script: String, scriptArguments: [String]) {
        self.interpreter = interpreter
        self.interpreterFlags = interpreterFlags
        self.script = script
        self.scriptArguments = scriptArguments
    }

    /// A plain program: `program` (an absolute path inside the job's root) exec'd with `arguments` after it,
    /// e.g. `/bin/sh` with `["-c", "echo hi"]`.
    public init(program: String, arguments: [String]) {
        interpreter = program
        interpreterFlags = arguments
        script = nil
        scriptArguments = []
    }

    /// The program's argv, as the cold path execs it: interpreter, flags, script, script arguments.
    public var argv: [String] { [interpreter] + interpreterFlags + (script.map { [$0] } ?? []) + scriptArguments }
}

/// Everything the Jail needs to run one program once: what to run, what it sees, and its limits.
public struct JobSpec: Sendable {
    /// The interpreter, its flags, the script and its arguments.
    public var command: JobCommand
    /// The program's whole environment; nothing of the caller's environment is added.
    public var environment: [String: String]
    /// Files placed in the working directory before the program starts.
    public var files: [JobFile]
    /// The program's stdin.
    public var stdin: JobInput
    public var limits: ResourceLimits
    /// The job's hostname (its own UTS namespace).
    public var hostname: String
    /// The compiled seccomp policy, installed just before execve.
    public var seccomp: SeccompFilter
    /// Files copied out of the working directory after the job (see `ArtifactCollector`); nil for none.
    public var artifacts: ArtifactRequest?
    /// A host directory bound read-write into the job as its working directory, the job's user running as its
    /// owner; nil for none (the working directory is the job's own tmpfs).
    public var workspace: WorkspaceMount?

    public init(command: JobCommand, environment: [String: String], files: [JobFile], stdin: JobInput,
                limits: ResourceLimits, hostname: String, seccomp: SeccompFilter, artifacts: ArtifactRequest? = nil,
                workspace: WorkspaceMount? = nil) {
        self.command = command
        self.environment = environment
        self.files = files
        self.stdin = stdin
        self.limits = limits
        self.hostname = hostname
        self.seccomp = seccomp
        self.artifacts = artifacts
        self.workspace = workspace
    }
}

/// What happened to a job, as facts; the engine above turns them into a status.
public struct JailOutcome: Sendable {
    /// How the program ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// The job was killed before the program's status could be collected.
        case killed
    }

    /// Why the supervisor stopped the job: a limit it enforces, or a cancellation from outside.
    public enum Enforced: String, Sendable {
        case wall, output, syscall
        /// The job's `CancellationSignal` fired (a client went away, a job was deleted, the server stopped).
        case cancelled
    }

    public var termination: Termination
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// Wall time from the program's execve to the end of the job.
    public var wallNanoseconds: UInt64
    /// User + system CPU time of the program and the children it reaped, in microseconds.
    public var cpuMicroseconds: Int64
    public var cgroup: CgroupStats
    /// What the supervisor stopped the job for, if anything.
    public var enforced: Enforced?
    /// The forbidden system call's name, when `enforced == .syscall`.
    public var blockedSyscall: String?
    /// The host uid the job's user ran as.
    public var hostUid: UInt32
    /// The requested artifacts, in request order (empty when none were requested).
    public var artifacts: [CollectedArtifact] = []
    /// Which path ran the job.
    public var sandbox: SandboxKind = .cold
}

/// How a job's sandbox was made; the isolation is the same (see JailWarm's `WarmPool`).
public enum SandboxKind: String, Sendable, Codable, CaseIterable {
    /// Set up for this job, from clone3 to the interpreter's execve.
    case cold
    /// Forked and isolated ahead of time from a pre-initialised interpreter, handed this job, then destroyed.
    case warm
}
