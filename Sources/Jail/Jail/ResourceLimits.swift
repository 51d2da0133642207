/// The resource limits of one job, in kernel units. Profiles produce them; cgroups and rlimits enforce them.
public struct ResourceLimits: Sendable, Hashable, Codable {
    /// Wall-clock limit from the moment the job starts, in milliseconds.
    public var wallTimeMs: Int
    /// CPU time limit (RLIMIT_CPU, rounded up to whole seconds by the kernel), in milliseconds.
    public var cpuTimeMs: Int
    /// cgroup memory limit, in bytes; swap is always off (memsw = memory on v1, `memory.swap.max` = 0 on v2).
    public var memoryBytes: Int
    /// cgroup pids limit (fork bombs stop here).
    public var pids: Int
    /// cgroup cpu bandwidth, in CPUs (1.0 = one full core).
    public var cpus: Double
    /// RLIMIT_NOFILE.
    public var openFiles: Int
    /// RLIMIT_FSIZE, in bytes.
    public var fileSizeBytes: Int
    /// RLIMIT_STACK, in bytes.
    public var stackBytes: Int
    /// Cap on captured stdout, in bytes.
    public var stdoutBytes: Int
    /// Cap on captured stderr, in bytes.
    public var stderrBytes: Int
    /// Size of the job's /tmp tmpfs, in bytes.
    public var tmpBytes: Int
    /// Size of the job's working directory tmpfs, in bytes.
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
