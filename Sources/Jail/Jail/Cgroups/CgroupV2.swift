#if canImport(Glibc)
import Glibc
#endif

/// cgroup v2: one unified hierarchy; bexy's parent group "<own cgroup>/bexy" holds one directory per job (see
/// `CgroupV2Placement` for where bexy itself goes).
struct CgroupV2Hierarchy: CgroupHierarchy {
    /// The controllers bexy enables for its parent group and its jobs.
    static let controllers = ["memory", "pids", "cpu"]

    let fs: any CgroupFileSystem
    /// bexy's parent group, e.g. "/sys/fs/cgroup/system.slice/bexy.service/bexy".
    let parent: String

    var version: CgroupVersion { .v2 }
    var parentDirectories: [String] { [parent] }

    static let swapAccounting = (feature: "memory swap accounting (memory.swap.max)",
                                 fix: "use a kernel built with CONFIG_MEMCG_SWAP=y and boot with swapaccount=1")
    static let oomGroup = (feature: "memory.oom.group", fix: "use Linux 4.19 or newer")

    static func controllerMissing(_ name: String) -> (feature: String, fix: String) {
        (feature: "\(name) controller", fix: "enable it: echo +\(name) > cgroup.subtree_control in every ancestor of "
            + "bexy's cgroup (systemd: Delegate=yes on bexy's unit)")
    }

    // MARK: Detection

    /// Why the unified hierarchy at `root` cannot serve bexy; empty = usable.
    static func problems(root: String, fs: any CgroupFileSystem) -> [String] {
        let file = root + "/cgroup.controllers"
        guard let content = fs.read(file) else { return ["no \(file)"] }
        let missing = cgroupListMissing(content, controllers)
        return missing.isEmpty ? [] : ["\(file) lacks \(missing.joined(separator: ", "))"]
    }

    /// Set up bexy's parent group `<own>/bexy` as `CgroupV2Placement` describes: below the root, move this whole
    /// process (all its threads) into `<own>/bexy-supervisor` first; then enable memory, pids and cpu in `<own>`
    /// and in the parent group. Fails closed, naming the controllers and the fix, when they are not delegated.
    static func prepare(root: String, ownPath: String, fs: any CgroupFileSystem) throws(JailError)
        -> CgroupV2Hierarchy {
        let placement = CgroupV2Placement.find(root: root, ownPath: ownPath, fs: fs)
        if let missing = placement.missingControllersError() { throw missing }
        if let leaf = placement.supervisorLeaf { try moveSelf(into: leaf, fs: fs) }
        try enable(in: placement.own, fs: fs, placement: placement)
        let parent = placement.jobsParent
        do throws(CgroupFileSystemError) {
            try fs.mkdir(parent)
        } catch {
            if error.errno != EEXIST {
                throw cgroupCallError(stage: "cgroup v2 mkdir parent", what: "mkdir", path: parent,
                                      errno: error.errno)
            }
        }
        try enable(in: parent, fs: fs, placement: nil)
        return CgroupV2Hierarchy(fs: fs, parent: parent)
    }

    /// Move this process into the (created if needed) leaf `leaf`: writing "0" to cgroup.procs moves the writer's
    /// whole thread group.
    private static func moveSelf(into leaf: String, fs: any CgroupFileSystem) throws(JailError) {
        do throws(CgroupFileSystemError) {
            try fs.mkdir(leaf)
        } catch {
            if error.errno != EEXIST {
                throw cgroupCallError(stage: "cgroup v2 supervisor leaf", what: "mkdir", path: leaf,
                                      errno: error.errno, hint: CgroupV2Placement.delegationFix)
            }
        }
        let procs = leaf + "/cgroup.procs"
        do throws(CgroupFileSystemError) {
            try fs.write(procs, "0")
        } catch {
            var failure = cgroupWriteError(stage: "cgroup v2 supervisor leaf", path: procs, value: "0",
                                           errno: error.errno, missingFeature: nil)
            failure.hint = "bexy moves itself into \(leaf) so that its cgroup may enable controllers for jobs; "
                + CgroupV2Placement.delegationFix
            throw failure
        }
    }

    /// Enable in `directory`/cgroup.subtree_control whichever of memory, pids and cpu is not enabled yet;
    /// `placement` is given for bexy's own cgroup, whose failures are explained as delegation problems.
    private static func enable(in directory: String, fs: any CgroupFileSystem,
                               placement: CgroupV2Placement?) throws(JailError) {
        let file = directory + "/cgroup.subtree_control"
        let missing = cgroupListMissing(fs.read(file), controllers)
        if missing.isEmpty { return }
        let value = missing.map { "+" + $0 }.joined(separator: " ")
        do throws(CgroupFileSystemError) {
            try fs.write(file, value)
        } catch {
            var failure = cgroupWriteError(stage: "cgroup v2 cgroup.subtree_control", path: file, value: value,
                                           errno: error.errno, missingFeature: nil)
            if let placement {
                let names = missing.joined(separator: ", ")
                switch error.errno {
                case EBUSY:
                    let moved = placement.supervisorLeaf.map { " (bexy itself moved to \($0))" } ?? ""
                    failure.hint = "cannot delegate \(names) to bexy's jobs: other processes still live in "
                        + "\(directory)\(moved), and cgroup v2 enables controllers for the children of a non-root "
                        + "cgroup only while no process lives in it. Run bexy as the only process of its cgroup, or "
                        + "move the others into a leaf; " + CgroupV2Placement.delegationFix
                case EACCES, EPERM, EROFS:
                    failure.hint = "bexy may not enable \(names) in \(directory); " + CgroupV2Placement.delegationFix
                default:
                    break
                }
            }
            throw failure
        }
    }

    // MARK: CgroupHierarchy

    func missingFeatures() -> [(feature: String, fix: String)] {
        var missing: [(feature: String, fix: String)] = []
        for name in cgroupListMissing(fs.read(parent + "/cgroup.subtree_control"), Self.controllers) {
            missing.append(Self.controllerMissing(name))
        }
        let files: [(String, (feature: String, fix: String))] = [
            ("memory.max", Self.controllerMissing("memory")),
            ("memory.swap.max", Self.swapAccounting),
            ("memory.oom.group", Self.oomGroup),
            ("pids.max", Self.controllerMissing("pids")),
            ("cpu.max", Self.controllerMissing("cpu")),
        ]
        for (file, feature) in files where !fs.exists(parent + "/" + file) {
            if !missing.contains(where: { $0.feature == feature.feature }) { missing.append(feature) }
        }
        return missing
    }

    @discardableResult
    func removeStale(name: String) throws(JailError) -> [String] {
        try CgroupValidation.check(name: name)
        let directory = parent + "/" + name
        guard fs.exists(directory) else { return [] }
        do throws(CgroupFileSystemError) {
            do throws(CgroupFileSystemError) {
                try fs.rmdir(directory)
            } catch {
                guard error.errno == EBUSY else { throw error }
                // A stale job still has tasks: kill them all, then wait for the group to empty.
                try? fs.write(directory + "/cgroup.kill", "1")
                try fs.removeDirectoryRetrying(directory)
            }
        } catch {
            throw cgroupCallError(
                stage: "cgroup v2 remove stale", what: "rmdir", path: directory, errno: error.errno,
                hint: error.errno == EBUSY
                    ? "a job of an earlier bexy run still has tasks in it; kill the pids in "
                        + "\(directory)/cgroup.procs, then rmdir it"
                    : nil)
        }
        return [directory]
    }

    func create(name: String, limits: ResourceLimits) throws(JailError) -> JobCgroup {
        try CgroupValidation.check(name: name)
        let quota = try CgroupValidation.cpuQuota(for: limits)
        let directory = parent + "/" + name
        try removeStale(name: name)

        do throws(CgroupFileSystemError) {
            try fs.mkdir(directory)
        } catch {
            throw cgroupCallError(stage: "cgroup v2 mkdir", what: "mkdir", path: directory, errno: error.errno)
        }
        let fd: Int32
        do throws(JailError) {
            let writes = [
                CgroupLimitWrite(file: "memory.max", value: String(limits.memoryBytes),
                                 missingFeature: Self.controllerMissing("memory")),
                CgroupLimitWrite(file: "memory.swap.max", value: "0", missingFeature: Self.swapAccounting),
                CgroupLimitWrite(file: "memory.oom.group", value: "1", missingFeature: Self.oomGroup),
                CgroupLimitWrite(file: "pids.max", value: String(limits.pids),
                                 missingFeature: Self.controllerMissing("pids")),
                CgroupLimitWrite(file: "cpu.max", value: "\(quota) \(cgroupCPUPeriodMicroseconds)",
                                 missingFeature: Self.controllerMissing("cpu")),
            ]
            for write in writes {
                try fs.writeLimit(write, in: directory, version: .v2)
            }
            do throws(CgroupFileSystemError) {
                fd = try fs.openDirectory(directory)
            } catch {
                throw cgroupCallError(stage: "cgroup v2 open directory", what: "open", path: directory,
                                      errno: error.errno)
            }
        } catch {
            try? fs.removeDirectoryRetrying(directory)
            throw error
        }
        return JobCgroup(
            version: .v2, fs: fs, directories: [directory], joinFDs: [], cloneIntoFD: fd,
            peakMemoryFile: directory + "/memory.peak",
            oomEventsFile: directory + "/memory.events",
            pidsEventsFile: directory + "/pids.events",
            killFile: directory + "/cgroup.kill")
    }
}
