/// The limits a job ran under, as the execution result and the audit record carry them: the engine's resource
/// limits (the profile's, tightened by the request) in kernel units, with stable snake_case keys.
///
/// A wire type: the sandbox's own limits type stays inside the engine; this one is what clients, LogLama and the
/// audit trail read.
public struct ExecutionLimits: Codable, Sendable, Hashable {
    /// `wall_time_ms`: wall-clock limit from the moment the job starts, in milliseconds.
    public var wallTimeMs: Int
    /// `cpu_time_ms`: CPU time limit, in milliseconds.
    public var cpuTimeMs: Int
    /// `memory_bytes`: memory limit, in bytes (swap is always off).
    public var memoryBytes: Int
    /// `pids`: how many processes and threads the job may have at once.
    public var pids: Int
    /// `cpus`: CPU bandwidth, in CPUs (1.0 = one full core).
    public var cpus: Double
    /// `open_files`: open file descriptors.
    public var openFiles: Int
    /// `file_size_bytes`: the largest file the job may write, in bytes.
    public var fileSizeBytes: Int
    /// `stack_bytes`: stack size, in bytes.
    public var stackBytes: Int
    /// `stdout_bytes`: cap on captured stdout, in bytes.
    public var stdoutBytes: Int
    /// `stderr_bytes`: cap on captured stderr, in bytes.
    public var stderrBytes: Int
    /// `tmp_bytes`: size of the job's /tmp, in bytes.
    public var tmpBytes: Int
    /// `workdir_bytes`: size of the job's working directory, in bytes.
    public var workdirBytes: Int

    public init(wallTimeMs: Int, cpuTimeMs: Int, memoryBytes: Int, pids: Int, cpus: Double, openFiles: Int,
                fileSizeBytes: Int, stackBytes: Int, stdoutBytes: Int, stderrBytes: Int, tmpBytes: Int,
                workdirBytes: Int) {
        self.wallTimeMs = wallTimeMs
        self.cpuTimeMs = cpuTimeMs
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.cpus = cpus
        self.openFiles = openFiles
        self.fileSizeBytes = fileSizeBytes
        self.stackBytes = stackBytes
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.tmpBytes = tmpBytes
        self.workdirBytes = workdirBytes
    }

    enum CodingKeys: String, CodingKey {
        case wallTimeMs = "wall_time_ms", cpuTimeMs = "cpu_time_ms", memoryBytes = "memory_bytes", pids, cpus
        case openFiles = "open_files", fileSizeBytes = "file_size_bytes", stackBytes = "stack_bytes"
        case stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes", tmpBytes = "tmp_bytes"
        case workdirBytes = "workdir_bytes"
    }
}
