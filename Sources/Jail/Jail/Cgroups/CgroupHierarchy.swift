#if canImport(Glibc)
import Glibc
#endif

/// Which cgroup hierarchy bexy drives on this host.
public enum CgroupVersion: String, Sendable {
    /// Legacy per-controller hierarchies (`/sys/fs/cgroup/memory`, `/sys/fs/cgroup/pids`, ...).
    case v1
    /// The unified hierarchy (`/sys/fs/cgroup/cgroup.controllers`).
    case v2
}

/// What a job's cgroup recorded, read once the job has ended.
public struct CgroupStats: Sendable, Equatable {
    /// Highest memory use of the job in bytes (v1 `memory.max_usage_in_bytes`, v2 `memory.peak`); nil if the
    /// kernel does not report it.
    public var peakMemoryBytes: Int?
    /// How many processes the OOM killer killed in the job (`oom_kill` counter).
    public var oomKills: Int
    /// How many forks failed because the job hit its pids limit (`max` in `pids.events`).
    public var pidsLimitHits: Int

    public init(peakMemoryBytes: Int?, oomKills: Int, pidsLimitHits: Int) {
        self.peakMemoryBytes = peakMemoryBytes
        self.oomKills = oomKills
        self.pidsLimitHits = pidsLimitHits
    }
}

/// One cgroup hierarchy (v1 or v2) with bexy's parent group in it; `Cgroups.detect` returns the one this host has.
public protocol CgroupHierarchy: Sendable {
    /// The hierarchy's version.
    var version: CgroupVersion { get }
    /// bexy's parent groups, which hold the job cgroups (v1: memory, pids, cpu; v2: one).
    var parentDirectories: [String] { get }
    /// The controllers bexy needs (memory with swap accounting, pids, cpu) that this host lacks, each with the
    /// fix; empty = ok.
    func missingFeatures() -> [(feature: String, fix: String)]
    /// Create the cgroup `name` (e.g. "job-3") under bexy's parent group with `limits` applied, removing a stale
    /// one of the same name first.
    func create(name: String, limits: ResourceLimits) throws(JailError) -> JobCgroup
    /// Remove the cgroup `name` left by a job whose bexy died, killing any task still in it first; returns the
    /// directories removed (empty if there was none). Call it only while holding the job's identity slot.
    func removeStale(name: String) throws(JailError) -> [String]
}

/// The period of the CPU bandwidth controller: 100 ms, in microseconds.
let cgroupCPUPeriodMicroseconds = 100_000

/// The hint for permission errors anywhere under the cgroup mounts.
let cgroupPermissionHint = "run bexy as root, or give it a delegated cgroup it may write to (systemd: Delegate=yes)"

/// Checks shared by both hierarchies before anything is created.
enum CgroupValidation {
    /// A job cgroup name is one plain path component.
    static func check(name: String) throws(JailError) {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.utf8.contains(0) {
            throw JailError(.invalidConfiguration, stage: "cgroup name",
                            message: "invalid cgroup name \"\(name)\": it must be one path component")
        }
    }

    /// The limits the cgroup files accept; returns the CPU quota in microseconds per period.
    static func cpuQuota(for limits: ResourceLimits) throws(JailError) -> Int {
        if limits.memoryBytes <= 0 {
            throw JailError(.invalidConfiguration, stage: "cgroup limits",
                            message: "memory limit must be positive, got \(limits.memoryBytes) bytes")
        }
        if limits.pids <= 0 {
            throw JailError(.invalidConfiguration, stage: "cgroup limits",
                            message: "pids limit must be positive, got \(limits.pids)")
        }
        // The kernel's smallest quota is 1 ms per period.
        guard limits.cpus.isFinite, limits.cpus * Double(cgroupCPUPeriodMicroseconds) >= 1000,
              limits.cpus < 1_000_000 else {
            throw JailError(.invalidConfiguration, stage: "cgroup limits",
                            message: "cpus must be between 0.01 and 1000000, got \(limits.cpus)")
        }
        return Int(limits.cpus * Double(cgroupCPUPeriodMicroseconds))
    }
}

/// A cgroup interface file a hierarchy writes, with what its absence means.
struct CgroupLimitWrite {
    /// The file name inside the job's directory, e.g. "memory.memsw.limit_in_bytes".
    var file: String
    var value: String
    /// If the file does not exist, the host lacks this feature (fail closed with `.missingFeature`).
    var missingFeature: (feature: String, fix: String)?
}

extension CgroupFileSystem {
    /// Write one interface file, mapping a failure to a `JailError` whose stage is "cgroup <version> <file>".
    func writeLimit(_ write: CgroupLimitWrite, in directory: String, version: CgroupVersion) throws(JailError) {
        let path = directory + "/" + write.file
        do throws(CgroupFileSystemError) {
            try self.write(path, write.value)
        } catch {
            throw cgroupWriteError(stage: "cgroup \(version.rawValue) \(write.file)", path: path, value: write.value,
                                   errno: error.errno, missingFeature: write.missingFeature)
        }
    }
}

/// The `JailError` for a failed write of `value` to `path`.
func cgroupWriteError(stage: String, path: String, value: String, errno code: Int32,
                      missingFeature: (feature: String, fix: String)?) -> JailError {
    let reason = String(cString: strerror(code))
    if code == ENOENT, let missingFeature {
        return JailError(.missingFeature, stage: stage, errno: code,
                         message: "\(stage): \(path) does not exist, so this host lacks \(missingFeature.feature)",
                         hint: missingFeature.fix)
    }
    let hint: String
    switch code {
    case EACCES, EPERM, EROFS: hint = cgroupPermissionHint
    case EINVAL, ERANGE: hint = "the kernel rejected the value \"\(value)\"; check the profile's limits"
    case ENOENT: hint = "the cgroup directory vanished; is something else removing bexy's cgroups?"
    case EBUSY: hint = "the kernel reported the cgroup busy (a memory limit below current usage, or v2 "
        + "controllers changed while processes live in the group)"
    default: hint = "check the cgroup mount and the kernel log (dmesg)"
    }
    return JailError(.setupFailed, stage: stage, errno: code,
                     message: "\(stage): cannot write \"\(value)\" to \(path): \(reason)", hint: hint)
}

/// The `JailError` for another failed call (`what`, e.g. "mkdir") on `path`.
func cgroupCallError(stage: String, what: String, path: String, errno code: Int32, hint: String? = nil) -> JailError {
    let reason = String(cString: strerror(code))
    let fallback: String
    switch code {
    case EACCES, EPERM, EROFS: fallback = cgroupPermissionHint
    default: fallback = "check the cgroup mount and the kernel log (dmesg)"
    }
    return JailError(.setupFailed, stage: stage, errno: code, message: "\(stage): \(what) \(path): \(reason)",
                     hint: hint ?? fallback)
}

/// The number after `key` in a flat-keyed cgroup file ("oom_kill 3\nmax 0\n"), or nil.
func cgroupKeyedValue(_ content: String?, key: String) -> Int? {
    guard let content else { return nil }
    for line in content.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.count == 2, fields[0] == key, let value = Int(fields[1]) { return value }
    }
    return nil
}

/// A cgroup file holding one integer ("1234\n"), or nil.
func cgroupIntegerValue(_ content: String?) -> Int? {
    guard let content else { return nil }
    return Int(content.filter { !$0.isWhitespace })
}

/// The entries of `names` that the space-separated list `content` ("cpuset cpu io memory pids") lacks.
func cgroupListMissing(_ content: String?, _ names: [String]) -> [String] {
    let present = Set((content ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    return names.filter { !present.contains($0) }
}
