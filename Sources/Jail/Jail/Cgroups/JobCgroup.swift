#if canImport(Glibc)
import Glibc
#endif

/// The cgroup of one job: the fds the child uses to enter it, its statistics, and its removal.
///
/// Created by `CgroupHierarchy.create`. Not thread-safe: use it from one thread at a time. The fds are closed by
/// `destroy()` (or, as a safety net, when the object is released); the directories are only removed by `destroy()`.
public final class JobCgroup: @unchecked Sendable {
    /// The hierarchy this cgroup lives in.
    public let version: CgroupVersion
    /// v1: one fd per controller's `tasks` file, opened O_WRONLY|O_CLOEXEC; the child writes "0" to each to join
    /// itself (writing the string "0" to `tasks` migrates only the calling thread and skips the kernel's global
    /// threadgroup rwsem, which made writing a pid to cgroup.procs cost 8-22 ms here). Empty on v2.
    public var joinFDs: [Int32]
    /// v2: an O_DIRECTORY|O_CLOEXEC fd of the job's cgroup directory for clone3(CLONE_INTO_CGROUP). nil on v1.
    public var cloneIntoFD: Int32?
    /// The job's cgroup directories (v1: memory, pids, cpu; v2: one).
    public private(set) var directories: [String]

    private let fs: any CgroupFileSystem
    private let peakMemoryFile: String
    private let oomEventsFile: String
    private let pidsEventsFile: String
    private let killFile: String?

    init(version: CgroupVersion, fs: any CgroupFileSystem, directories: [String], joinFDs: [Int32],
         cloneIntoFD: Int32?, peakMemoryFile: String, oomEventsFile: String, pidsEventsFile: String,
         killFile: String?) {
        self.version = version
        self.fs = fs
        self.directories = directories
        self.joinFDs = joinFDs
        self.cloneIntoFD = cloneIntoFD
        self.peakMemoryFile = peakMemoryFile
        self.oomEventsFile = oomEventsFile
        self.pidsEventsFile = pidsEventsFile
        self.killFile = killFile
    }

    deinit {
        closeFDs()
    }

    /// Peak memory, OOM kills and pids-limit hits as the kernel counted them; unreadable counters read as 0.
    public func stats() -> CgroupStats {
        CgroupStats(
            peakMemoryBytes: cgroupIntegerValue(fs.read(peakMemoryFile)),
            oomKills: cgroupKeyedValue(fs.read(oomEventsFile), key: "oom_kill") ?? 0,
            pidsLimitHits: cgroupKeyedValue(fs.read(pidsEventsFile), key: "max") ?? 0)
    }

    /// Memory charged to the cgroup now (v1 memory.usage_in_bytes, v2 memory.current); 0 if unreadable.
    public func currentMemoryBytes() -> Int {
        let directory = peakMemoryFile.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        let file = version == .v1 ? "memory.usage_in_bytes" : "memory.current"
        return cgroupIntegerValue(fs.read(directory + "/" + file)) ?? 0
    }

    /// v2: write "1" to cgroup.kill, which SIGKILLs every task in the cgroup; true if that worked.
    /// v1: returns false (the caller kills through the pid namespace).
    public func kill() -> Bool {
        guard let killFile else { return false }
        do throws(CgroupFileSystemError) {
            try fs.write(killFile, "1")
            return true
        } catch {
            return false
        }
    }

    /// Close the fds and remove the directories, retrying rmdir on EBUSY a few times with a short sleep.
    ///
    /// Call it only after every task of the job is gone. Every directory is attempted; the first failure is
    /// thrown. Calling it again after success does nothing.
    public func destroy() throws(JailError) {
        closeFDs()
        var firstError: JailError?
        var remaining: [String] = []
        for directory in directories {
            do throws(CgroupFileSystemError) {
                try fs.removeDirectoryRetrying(directory)
            } catch {
                remaining.append(directory)
                if firstError == nil {
                    let hint = error.errno == EBUSY
                        ? "tasks are still in \(directory); destroy a job cgroup only after all its tasks are gone"
                        : nil
                    firstError = cgroupCallError(stage: "cgroup \(version.rawValue) rmdir", what: "rmdir",
                                                 path: directory, errno: error.errno, hint: hint)
                }
            }
        }
        directories = remaining
        if let firstError { throw firstError }
    }

    private func closeFDs() {
        for fd in joinFDs { fs.close(fd) }
        joinFDs = []
        if let fd = cloneIntoFD { fs.close(fd) }
        cloneIntoFD = nil
    }
}
