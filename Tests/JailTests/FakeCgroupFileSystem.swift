#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import Jail

// The recording cgroup file system and the host fixtures `CgroupTests` runs against.

// MARK: - Recording double

/// An in-memory cgroup file system: directories, files, and a log of every write, mkdir, rmdir, open and close.
///
/// `mkdir` behaves like cgroupfs: the new directory is populated with the interface files `populate` returns for
/// its path; `rmdir` removes those files with it and fails with EBUSY while subdirectories remain (or while
/// `busyRmdirs[path]` > 0). `write` never creates a file. Like cgroup v2, writing "0" to a `cgroup.procs` moves
/// this process (`selfPID`) there (and, with `selfCgroupRoot`, rewrites /proc/self/cgroup), and a non-root group
/// (one with `cgroup.type`) refuses with EBUSY to enable controllers while processes live in it, or to take a
/// process while it has controllers enabled.
final class FakeCgroupFileSystem: CgroupFileSystem {
    struct State {
        var directories: Set<String> = []
        var files: [String: String] = [:]
        var writes: [(path: String, value: String)] = []
        var log: [String] = []
        var failures: [String: Int32] = [:]
        var busyRmdirs: [String: Int] = [:]
        var openFDs: [Int32: String] = [:]
        var nextFD: Int32 = 100
    }

    /// The pid this process has in the fake's cgroup.procs files.
    static let selfPID = "4242"

    let state = Mutex(State())
    let populate: @Sendable (String) -> [String]
    let selfCgroupRoot: String?

    init(populate: @escaping @Sendable (String) -> [String] = { _ in [] }, selfCgroupRoot: String? = nil) {
        self.populate = populate
        self.selfCgroupRoot = selfCgroupRoot
    }

    func addDirectory(_ path: String) {
        state.withLock { state in
            var current = ""
            for component in path.split(separator: "/") {
                current += "/" + component
                state.directories.insert(current)
            }
        }
    }

    func setFile(_ path: String, _ content: String) {
        addDirectory(String(path[..<path.lastIndex(of: "/")!]))
        state.withLock { $0.files[path] = content }
    }

    func fail(_ path: String, errno code: Int32) { state.withLock { $0.failures[path] = code } }
    func removeFile(_ path: String) { state.withLock { _ = $0.files.removeValue(forKey: path) } }
    var writes: [(path: String, value: String)] { state.withLock { $0.writes } }
    var log: [String] { state.withLock { $0.log } }
    var openFDs: [Int32: String] { state.withLock { $0.openFDs } }
    func isDirectory(_ path: String) -> Bool { state.withLock { $0.directories.contains(path) } }
    func file(_ path: String) -> String? { state.withLock { $0.files[path] } }

    private static func parent(_ path: String) -> String {
        String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    }

    func mkdir(_ path: String) throws(CgroupFileSystemError) {
        let result: Int32 = state.withLock { state in
            state.log.append("mkdir \(path)")
            if let code = state.failures[path] { return code }
            if state.directories.contains(path) || state.files[path] != nil { return EEXIST }
            guard state.directories.contains(Self.parent(path)) else { return ENOENT }
            state.directories.insert(path)
            for name in populate(path) { state.files[path + "/" + name] = "" }
            return 0
        }
        if result != 0 { throw CgroupFileSystemError(errno: result) }
    }

    func rmdir(_ path: String) throws(CgroupFileSystemError) {
        let result: Int32 = state.withLock { state in
            state.log.append("rmdir \(path)")
            if let code = state.failures[path] { return code }
            guard state.directories.contains(path) else { return ENOENT }
            if let busy = state.busyRmdirs[path], busy > 0 {
                state.busyRmdirs[path] = busy - 1
                return EBUSY
            }
            if state.directories.contains(where: { $0.hasPrefix(path + "/") }) { return EBUSY }
            state.directories.remove(path)
            for key in state.files.keys where key.hasPrefix(path + "/") { state.files.removeValue(forKey: key) }
            return 0
        }
        if result != 0 { throw CgroupFileSystemError(errno: result) }
    }

    func write(_ path: String, _ value: String) throws(CgroupFileSystemError) {
        let result: Int32 = state.withLock { state in
            if let code = state.failures[path] { return code }
            if state.directories.contains(path) { return EISDIR }
            guard let old = state.files[path] else { return ENOENT }
            let directory = Self.parent(path)
            let nonRoot = state.files[directory + "/cgroup.type"] != nil
            func hasContent(_ file: String) -> Bool {
                state.files[directory + "/" + file].map { $0.contains { !$0.isWhitespace } } ?? false
            }
            if path.hasSuffix("/cgroup.procs") && value == "0" {
                if nonRoot && hasContent("cgroup.subtree_control") { return EBUSY }
                for key in state.files.keys where key.hasSuffix("/cgroup.procs") {
                    state.files[key] = state.files[key]!.split(separator: "\n")
                        .filter { $0 != Self.selfPID }.map { $0 + "\n" }.joined()
                }
                state.files[path, default: ""] += Self.selfPID + "\n"
                if let root = selfCgroupRoot {
                    let own = directory == root ? "/" : String(directory.dropFirst(root.count))
                    state.files["/proc/self/cgroup"] = "0::\(own)\n"
                }
                state.writes.append((path, value))
                return 0
            }
            if path.hasSuffix("/cgroup.subtree_control") {
                if nonRoot && hasContent("cgroup.procs") { return EBUSY }
                // Like the kernel: "+x -y" edits the enabled set, which reads back without signs.
                var enabled = old.split(whereSeparator: \.isWhitespace).map(String.init)
                for token in value.split(separator: " ") {
                    let name = String(token.dropFirst())
                    enabled.removeAll { $0 == name }
                    if token.hasPrefix("+") { enabled.append(name) }
                }
                state.files[path] = enabled.joined(separator: " ") + "\n"
            } else {
                state.files[path] = value
            }
            state.writes.append((path, value))
            return 0
        }
        if result != 0 { throw CgroupFileSystemError(errno: result) }
    }

    func read(_ path: String) -> String? { state.withLock { $0.files[path] } }

    func exists(_ path: String) -> Bool {
        state.withLock { $0.directories.contains(path) || $0.files[path] != nil }
    }

    func openForJoin(_ path: String) throws(CgroupFileSystemError) -> Int32 {
        try open(path, directory: false)
    }

    func openDirectory(_ path: String) throws(CgroupFileSystemError) -> Int32 {
        try open(path, directory: true)
    }

    private func open(_ path: String, directory: Bool) throws(CgroupFileSystemError) -> Int32 {
        let result: (fd: Int32, errno: Int32) = state.withLock { state in
            if let code = state.failures[path] { return (-1, code) }
            let present = directory ? state.directories.contains(path) : state.files[path] != nil
            guard present else { return (-1, ENOENT) }
            let fd = state.nextFD
            state.nextFD += 1
            state.openFDs[fd] = path
            state.log.append("open \(path) -> \(fd)")
            return (fd, 0)
        }
        if result.fd < 0 { throw CgroupFileSystemError(errno: result.errno) }
        return result.fd
    }

    func close(_ fd: Int32) {
        state.withLock { state in
            state.log.append("close \(fd)")
            state.openFDs.removeValue(forKey: fd)
        }
    }
}

// MARK: - Fixtures

/// /proc/self/cgroup as on the development machine: hybrid, memory in a nested group, v2 without controllers.
let hybridProcSelfCgroup = """
    9:name=systemd:/
    8:pids:/
    7:blkio:/
    6:freezer:/
    5:devices:/
    4:memory:/process_api/abc
    3:cpuset:/
    2:cpuacct:/
    1:cpu:/
    0::/

    """

/// The interface files cgroupfs creates in a new v1 directory, by controller (swap accounting on).
func v1Files(_ path: String) -> [String] {
    var files = ["tasks", "cgroup.procs"]
    if path.hasPrefix("/cg/memory/") {
        files += ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.swappiness",
                  "memory.max_usage_in_bytes", "memory.oom_control"]
    } else if path.hasPrefix("/cg/pids/") {
        files += ["pids.max", "pids.events"]
    } else if path.hasPrefix("/cg/cpu/") {
        files += ["cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares"]
    }
    return files
}

/// The interface files cgroupfs creates in a new v2 directory below the (enabled) parent group.
func v2Files(_ path: String) -> [String] {
    ["cgroup.procs", "cgroup.type", "cgroup.controllers", "cgroup.subtree_control", "cgroup.kill", "memory.max",
     "memory.swap.max", "memory.oom.group", "memory.peak", "memory.events", "pids.max", "pids.events", "cpu.max"]
}

/// A fake v1 host shaped like the development machine, rooted at /cg.
func hybridHost(populate: @escaping @Sendable (String) -> [String] = v1Files) -> FakeCgroupFileSystem {
    let fs = FakeCgroupFileSystem(populate: populate)
    fs.setFile("/proc/self/cgroup", hybridProcSelfCgroup)
    for controller in ["memory", "pids", "cpu", "cpuacct", "blkio"] {
        fs.setFile("/cg/\(controller)/tasks", "")
        fs.setFile("/cg/\(controller)/cgroup.procs", "")
    }
    fs.addDirectory("/cg/memory/process_api/abc")
    fs.setFile("/cg/unified/cgroup.controllers", "")
    return fs
}

/// A fake pure v2 host rooted at /cg with bexy alone in the delegated service cgroup /system.slice/bexy.service
/// (as systemd starts a unit with Delegate=yes).
func pureV2Host() -> FakeCgroupFileSystem {
    let fs = FakeCgroupFileSystem(populate: v2Files, selfCgroupRoot: "/cg")
    fs.setFile("/proc/self/cgroup", "0::/system.slice/bexy.service\n")
    fs.setFile("/cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    fs.setFile("/cg/cgroup.procs", "1\n")
    fs.setFile("/cg/system.slice/cgroup.type", "domain\n")
    let own = "/cg/system.slice/bexy.service"
    fs.setFile(own + "/cgroup.type", "domain\n")
    fs.setFile(own + "/cgroup.controllers", "cpu io memory pids\n")
    fs.setFile(own + "/cgroup.subtree_control", "\n")
    fs.setFile(own + "/cgroup.procs", FakeCgroupFileSystem.selfPID + "\n")
    return fs
}

/// A fake pure v2 host rooted at /cg with bexy (and init) in the root cgroup.
func rootV2Host() -> FakeCgroupFileSystem {
    let fs = FakeCgroupFileSystem(populate: v2Files, selfCgroupRoot: "/cg")
    fs.setFile("/proc/self/cgroup", "0::/\n")
    fs.setFile("/cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    fs.setFile("/cg/cgroup.subtree_control", "\n")
    fs.setFile("/cg/cgroup.procs", "1\n" + FakeCgroupFileSystem.selfPID + "\n")
    return fs
}

func jobLimits(memoryBytes: Int = 268_435_456, pids: Int = 64, cpus: Double = 1.5) -> ResourceLimits {
    ResourceLimits(wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: memoryBytes, pids: pids, cpus: cpus,
                   openFiles: 256, fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20,
                   stderrBytes: 1 << 20, tmpBytes: 16 << 20, workdirBytes: 16 << 20)
}

func detectFake(_ fs: FakeCgroupFileSystem, mode: String = "auto") throws(JailError) -> any CgroupHierarchy {
    try Cgroups.detect(mode: mode, root: "/cg", procSelfCgroup: "/proc/self/cgroup", fs: fs)
}

func jailError(_ body: () throws -> Void) -> JailError? {
    do {
        try body()
        return nil
    } catch let error as JailError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
