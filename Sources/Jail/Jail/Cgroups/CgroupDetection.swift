/// One line of /proc/self/cgroup: "hierarchy-ID:controller-list:path" ("4:memory:/process_api/x", "0::/").
struct ProcCgroupEntry: Sendable, Equatable {
    /// 0 is the unified (v2) hierarchy.
    var hierarchyID: Int
    /// The v1 controllers of the hierarchy ("cpu,cpuacct" -> ["cpu", "cpuacct"]); empty for v2.
    var controllers: [String]
    /// The process's cgroup, relative to the hierarchy's root.
    var path: String

    /// Parse the whole file; malformed lines are skipped. Paths may themselves contain ':'.
    static func parse(_ content: String) -> [ProcCgroupEntry] {
        content.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let id = Int(fields[0]), fields[2].hasPrefix("/") else { return nil }
            let controllers = fields[1].split(separator: ",").map(String.init)
            return ProcCgroupEntry(hierarchyID: id, controllers: controllers, path: String(fields[2]))
        }
    }
}

/// `base` + `path` for a cgroup path that starts with "/" ("/" itself adds nothing).
func cgroupJoin(_ base: String, _ path: String) -> String {
    let trimmed = path.split(separator: "/").joined(separator: "/")
    return trimmed.isEmpty ? base : base + "/" + trimmed
}

/// Entry point of the cgroup layer: find which hierarchy this host offers and set up bexy's parent group in it.
public enum Cgroups {
    /// Detect the hierarchy and create bexy's parent group.
    ///
    /// `mode` is an env-like override: "v1", "v2" or "auto". auto picks pure v2 if `<root>/cgroup.controllers`
    /// exists and lists memory, pids and cpu; else v1 if `<root>/memory`, `<root>/pids` and `<root>/cpu` are v1
    /// mounts of controllers /proc/self/cgroup lists; else it fails closed with `JailError(.missingFeature)` naming
    /// what is missing and how to fix it.
    ///
    /// The parent group is "<controller mount>/<this process's cgroup path for that controller from
    /// /proc/self/cgroup>/bexy" (v1, per controller) or "<root>/<own v2 path>/bexy" (v2, with +memory +pids +cpu
    /// enabled in the own group's and the parent's cgroup.subtree_control). On v2 below the root cgroup this
    /// process first moves itself into "<own>/bexy-supervisor" (see `CgroupV2Placement`).
    public static func detect(mode: String = "auto", root: String = "/sys/fs/cgroup",
                              procSelfCgroup: String = "/proc/self/cgroup",
                              fs: any CgroupFileSystem = RealCgroupFileSystem()) throws(JailError)
        -> any CgroupHierarchy {
        guard mode == "auto" || mode == "v1" || mode == "v2" else {
            throw JailError(.invalidConfiguration, stage: "cgroup detect",
                            message: "unknown cgroup mode \"\(mode)\"", hint: "use \"auto\", \"v1\" or \"v2\"")
        }
        guard let content = fs.read(procSelfCgroup) else {
            throw JailError(.missingFeature, stage: "cgroup detect",
                            message: "cannot read \(procSelfCgroup)",
                            hint: "use a kernel with cgroups (CONFIG_CGROUPS=y) and mount /proc")
        }
        let membership = ProcCgroupEntry.parse(content)

        var v2Problems: [String] = []
        if mode != "v1" {
            v2Problems = CgroupV2Hierarchy.problems(root: root, fs: fs)
            if let unified = membership.first(where: { $0.hierarchyID == 0 }) {
                if v2Problems.isEmpty {
                    return try CgroupV2Hierarchy.prepare(root: root, ownPath: unified.path, fs: fs)
                }
            } else {
                v2Problems.append("no unified hierarchy (0::) in \(procSelfCgroup)")
            }
        }
        var v1Problems: [String] = []
        if mode != "v2" {
            let located = CgroupV1Hierarchy.locate(root: root, membership: membership, fs: fs)
            if located.problems.isEmpty {
                return try CgroupV1Hierarchy.prepare(directories: located.directories, fs: fs)
            }
            v1Problems = located.problems
        }

        var reasons: [String] = []
        if mode != "v1" { reasons.append("cgroup v2: " + v2Problems.joined(separator: "; ")) }
        if mode != "v2" { reasons.append("cgroup v1: " + v1Problems.joined(separator: "; ")) }
        var fixes: [String] = []
        if mode != "v1" {
            fixes.append("for v2 mount the unified hierarchy at \(root) with the memory, pids and cpu controllers "
                + "(boot with systemd.unified_cgroup_hierarchy=1)")
        }
        if mode != "v2" {
            fixes.append("for v1 mount each controller at \(root)/<name>, e.g. "
                + "mount -t cgroup -o pids cgroup \(root)/pids")
        }
        let wanted = mode == "auto" ? "no usable cgroup hierarchy" : "cgroup \(mode) is not usable"
        throw JailError(.missingFeature, stage: "cgroup detect",
                        message: "\(wanted) (\(reasons.joined(separator: " | ")))",
                        hint: fixes.joined(separator: "; "))
    }

    /// Where bexy's cgroups would go on the unified (v2) hierarchy at `root`, read without changing anything; nil
    /// when this host has no usable v2 hierarchy (no `<root>/cgroup.controllers` listing memory, pids and cpu, or
    /// no "0::" line in /proc/self/cgroup).
    public static func v2Placement(root: String = "/sys/fs/cgroup", procSelfCgroup: String = "/proc/self/cgroup",
                                   fs: any CgroupFileSystem = RealCgroupFileSystem()) -> CgroupV2Placement? {
        guard CgroupV2Hierarchy.problems(root: root, fs: fs).isEmpty,
              let unified = ProcCgroupEntry.parse(fs.read(procSelfCgroup) ?? "").first(where: { $0.hierarchyID == 0 })
        else { return nil }
        return CgroupV2Placement.find(root: root, ownPath: unified.path, fs: fs)
    }
}
