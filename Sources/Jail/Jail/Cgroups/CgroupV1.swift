#if canImport(Glibc)
import Glibc
#endif

/// cgroup v1: one hierarchy per controller; bexy uses memory, pids and cpu, each with its own "bexy" parent group.
struct CgroupV1Hierarchy: CgroupHierarchy {
    /// The v1 controllers bexy joins, in the order they are created and written.
    enum Controller: String, CaseIterable, Sendable {
        case memory, pids, cpu
    }

    let fs: any CgroupFileSystem
    /// bexy's parent group per controller, e.g. "/sys/fs/cgroup/memory/<own path>/bexy".
    let parents: [Controller: String]

    var version: CgroupVersion { .v1 }
    var parentDirectories: [String] { Controller.allCases.compactMap { parents[$0] } }

    static let swapAccounting = (feature: "memory swap accounting", fix: "boot with swapaccount=1")
    static let cpuBandwidth = (feature: "cpu bandwidth control (cpu.cfs_quota_us)",
                               fix: "use a kernel built with CONFIG_CFS_BANDWIDTH=y")
    static let pidsController = (feature: "pids controller (pids.max)",
                                 fix: "use a kernel built with CONFIG_CGROUP_PIDS=y and mount it: "
                                     + "mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids")
    static let memoryController = (feature: "memory controller (memory.limit_in_bytes)",
                                   fix: "use a kernel built with CONFIG_MEMCG=y and mount it: "
                                       + "mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory")

    // MARK: Detection

    /// This process's cgroup directory for each controller, or the reasons v1 is unusable.
    ///
    /// A controller counts if /proc/self/cgroup lists it in a v1 hierarchy and `<root>/<controller>/tasks` exists
    /// (the `tasks` file exists only in v1). The directory is "<root>/<controller><own path>"; if that does not
    /// exist (a container that bind-mounts its own cgroup as the mount root), the mount root itself.
    static func locate(root: String, membership: [ProcCgroupEntry], fs: any CgroupFileSystem)
        -> (directories: [Controller: String], problems: [String]) {
        var directories: [Controller: String] = [:]
        var problems: [String] = []
        for controller in Controller.allCases {
            guard let entry = membership.first(where: { $0.hierarchyID != 0
                && $0.controllers.contains(controller.rawValue) }) else {
                problems.append("no v1 \(controller.rawValue) hierarchy in /proc/self/cgroup")
                continue
            }
            let mount = root + "/" + controller.rawValue
            guard fs.exists(mount + "/tasks") else {
                problems.append("\(mount) is not a cgroup v1 mount")
                continue
            }
            let own = cgroupJoin(mount, entry.path)
            directories[controller] = fs.exists(own) ? own : mount
        }
        return (directories, problems)
    }

    /// Create (or reuse) the "bexy" parent group in every controller's own cgroup.
    static func prepare(directories: [Controller: String], fs: any CgroupFileSystem) throws(JailError)
        -> CgroupV1Hierarchy {
        var parents: [Controller: String] = [:]
        for controller in Controller.allCases {
            guard let own = directories[controller] else { continue }
            let parent = own + "/bexy"
            do throws(CgroupFileSystemError) {
                try fs.mkdir(parent)
            } catch {
                if error.errno != EEXIST {
                    throw cgroupCallError(stage: "cgroup v1 mkdir parent", what: "mkdir", path: parent,
                                          errno: error.errno)
                }
            }
            parents[controller] = parent
        }
        return CgroupV1Hierarchy(fs: fs, parents: parents)
    }

    // MARK: CgroupHierarchy

    func missingFeatures() -> [(feature: String, fix: String)] {
        var missing: [(feature: String, fix: String)] = []
        func require(_ controller: Controller, _ file: String, _ feature: (feature: String, fix: String)) {
            guard let parent = parents[controller], fs.exists(parent + "/" + file) else {
                missing.append(feature)
                return
            }
        }
        require(.memory, "memory.limit_in_bytes", Self.memoryController)
        require(.memory, "memory.memsw.limit_in_bytes", Self.swapAccounting)
        require(.pids, "pids.max", Self.pidsController)
        require(.cpu, "cpu.cfs_quota_us", Self.cpuBandwidth)
        return missing
    }

    @discardableResult
    func removeStale(name: String) throws(JailError) -> [String] {
        try CgroupValidation.check(name: name)
        var removed: [String] = []
        for controller in Controller.allCases {
            guard let parent = parents[controller] else { continue }
            let directory = parent + "/" + name
            guard fs.exists(directory) else { continue }
            do throws(CgroupFileSystemError) {
                do throws(CgroupFileSystemError) {
                    try fs.rmdir(directory)
                } catch {
                    guard error.errno == EBUSY else { throw error }
                    // v1 has no cgroup.kill: SIGKILL every task listed, then wait for the group to empty.
                    Self.killTasks(listedIn: fs.read(directory + "/cgroup.procs"))
                    try fs.removeDirectoryRetrying(directory)
                }
            } catch {
                throw cgroupCallError(
                    stage: "cgroup v1 remove stale", what: "rmdir", path: directory, errno: error.errno,
                    hint: error.errno == EBUSY
                        ? "a job of an earlier bexy run still has tasks in it; kill the pids in "
                            + "\(directory)/cgroup.procs, then rmdir it"
                        : nil)
            }
            removed.append(directory)
        }
        return removed
    }

    /// kill(2) SIGKILL to every pid of a `cgroup.procs` listing (host pids, one per line).
    private static func killTasks(listedIn procs: String?) {
        for line in (procs ?? "").split(separator: "\n") {
            if let pid = pid_t(line), pid > 1 { _ = kill(pid, SIGKILL) }
        }
    }

    func create(name: String, limits: ResourceLimits) throws(JailError) -> JobCgroup {
        try CgroupValidation.check(name: name)
        let quota = try CgroupValidation.cpuQuota(for: limits)
        var directories: [Controller: String] = [:]
        for controller in Controller.allCases {
            guard let parent = parents[controller] else {
                throw JailError(.missingFeature, stage: "cgroup v1 \(controller.rawValue)",
                                message: "cgroup v1 \(controller.rawValue): no parent group")
            }
            directories[controller] = parent + "/" + name
        }
        let memory = directories[.memory]!, pids = directories[.pids]!, cpu = directories[.cpu]!
        let ordered = [memory, pids, cpu]
        try removeStale(name: name)

        var created: [String] = []
        var fds: [Int32] = []
        func undo() {
            for fd in fds { fs.close(fd) }
            for directory in created.reversed() { try? fs.removeDirectoryRetrying(directory) }
        }
        do throws(JailError) {
            for directory in ordered {
                do throws(CgroupFileSystemError) {
                    try fs.mkdir(directory)
                } catch {
                    throw cgroupCallError(stage: "cgroup v1 mkdir", what: "mkdir", path: directory,
                                          errno: error.errno)
                }
                created.append(directory)
            }
            let bytes = String(limits.memoryBytes)
            let writes: [(String, CgroupLimitWrite)] = [
                (memory, CgroupLimitWrite(file: "memory.limit_in_bytes", value: bytes,
                                          missingFeature: Self.memoryController)),
                (memory, CgroupLimitWrite(file: "memory.memsw.limit_in_bytes", value: bytes,
                                          missingFeature: Self.swapAccounting)),
                (memory, CgroupLimitWrite(file: "memory.swappiness", value: "0")),
                (pids, CgroupLimitWrite(file: "pids.max", value: String(limits.pids),
                                        missingFeature: Self.pidsController)),
                (cpu, CgroupLimitWrite(file: "cpu.cfs_period_us", value: String(cgroupCPUPeriodMicroseconds),
                                       missingFeature: Self.cpuBandwidth)),
                (cpu, CgroupLimitWrite(file: "cpu.cfs_quota_us", value: String(quota),
                                       missingFeature: Self.cpuBandwidth)),
            ]
            for (directory, write) in writes {
                try fs.writeLimit(write, in: directory, version: .v1)
            }
            for directory in ordered {
                let tasks = directory + "/tasks"
                do throws(CgroupFileSystemError) {
                    fds.append(try fs.openForJoin(tasks))
                } catch {
                    throw cgroupCallError(stage: "cgroup v1 open tasks", what: "open", path: tasks,
                                          errno: error.errno)
                }
            }
        } catch {
            undo()
            throw error
        }
        return JobCgroup(
            version: .v1, fs: fs, directories: ordered, joinFDs: fds, cloneIntoFD: nil,
            peakMemoryFile: memory + "/memory.max_usage_in_bytes",
            oomEventsFile: memory + "/memory.oom_control",
            pidsEventsFile: pids + "/pids.events",
            killFile: nil)
    }
}
