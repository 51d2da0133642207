/// The result of one execution: the object `bexy exec --json` prints and `POST /execute` returns.
///
/// Keeps the original BEXY fields (`success`, `output`, `error`, `error_type`, `error_message`) so its
/// clients keep working.
public struct ExecutionResult: Codable, Sendable, Equatable {
    /// The execution id, also the audit record's id.
    public var id: String
    public var profile: String
    public var status: ExecutionStatus
    /// The program's exit code, when it exited.
    public var exitCode: Int?
    /// The signal that ended the program, when one did.
    public var signal: Int?
    public var stdout: String
    public var stderr: String
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    public var wallMs: Int
    public var cpuMs: Int
    public var peakMemoryBytes: Int?
    /// Which limit stopped the job: wall, cpu, memory, pids, output, syscall (nil if none).
    public var limitHit: String?
    /// The forbidden system call, for `syscall_blocked`.
    public var blockedSyscall: String?
    /// The limits the job ran under, after the request's tightening.
    public var limits: ExecutionLimits?
    /// Original BEXY: true exactly when `status == ok`.
    public var success: Bool
    /// Original BEXY: the exception class (`SyntaxError`, `TimeoutError`, `MemoryError`, ...).
    public var errorType: String?
    public var errorMessage: String?
    /// Original BEXY aliases of stdout and stderr.
    public var output: String
    public var error: String
    /// The requested artifacts, in request order; present only when some were requested.
    public var artifacts: [ArtifactResult]? = nil
    /// The project entries that were not copied in (symlinks, devices, ...); present only with a project.
    public var projectSkipped: [ProjectSkippedEntry]? = nil
    /// How the job's sandbox was made: "cold" (for this job) or "warm" (ahead of time, same isolation); null
    /// when no sandbox ran.
    public var sandbox: SandboxKind? = nil

    public init(id: String, profile: String, status: ExecutionStatus, exitCode: Int?, signal: Int?, stdout: String,
                stderr: String, stdoutTruncated: Bool, stderrTruncated: Bool, wallMs: Int, cpuMs: Int,
                peakMemoryBytes: Int?, limitHit: String?, blockedSyscall: String?, limits: ExecutionLimits?,
                success: Bool, errorType: String?, errorMessage: String?, output: String, error: String,
                artifacts: [ArtifactResult]? = nil, projectSkipped: [ProjectSkippedEntry]? = nil,
                sandbox: SandboxKind? = nil) {
        self.id = id
        self.profile = profile
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.wallMs = wallMs
        self.cpuMs = cpuMs
        self.peakMemoryBytes = peakMemoryBytes
        self.limitHit = limitHit
        self.blockedSyscall = blockedSyscall
        self.limits = limits
        self.success = success
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.output = output
        self.error = error
        self.artifacts = artifacts
        self.projectSkipped = projectSkipped
        self.sandbox = sandbox
    }

    enum CodingKeys: String, CodingKey {
        case id, profile, status, signal, stdout, stderr, limits, success, output, error
        case exitCode = "exit_code", stdoutTruncated = "stdout_truncated", stderrTruncated = "stderr_truncated"
        case wallMs = "wall_ms", cpuMs = "cpu_ms", peakMemoryBytes = "peak_memory_bytes", limitHit = "limit_hit"
        case blockedSyscall = "blocked_syscall", errorType = "error_type", errorMessage = "error_message"
        case artifacts, projectSkipped = "project_skipped", sandbox
    }

    // Always encode every key (null included): clients test for presence. `artifacts` and `project_skipped`
    // are the exception: they appear exactly when the request asked for artifacts or a project.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(profile, forKey: .profile)
        try c.encode(status, forKey: .status)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(signal, forKey: .signal)
        try c.encode(stdout, forKey: .stdout)
        try c.encode(stderr, forKey: .stderr)
        try c.encode(stdoutTruncated, forKey: .stdoutTruncated)
        try c.encode(stderrTruncated, forKey: .stderrTruncated)
        try c.encode(wallMs, forKey: .wallMs)
        try c.encode(cpuMs, forKey: .cpuMs)
        try c.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try c.encode(limitHit, forKey: .limitHit)
        try c.encode(blockedSyscall, forKey: .blockedSyscall)
        try c.encode(limits, forKey: .limits)
        try c.encode(success, forKey: .success)
        try c.encode(errorType, forKey: .errorType)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(output, forKey: .output)
        try c.encode(error, forKey: .error)
        try c.encode(sandbox, forKey: .sandbox)
        try c.encodeIfPresent(artifacts, forKey: .artifacts)
        try c.encodeIfPresent(projectSkipped, forKey: .projectSkipped)
    }
}
