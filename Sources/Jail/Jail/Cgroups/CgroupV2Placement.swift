/// Where bexy's cgroups go in a cgroup v2 hierarchy, found by reading only (`bexy doctor` reports it; `Cgroups.detect`
/// acts on it).
///
/// v2 lets a cgroup other than the root hand controllers to its children only while no process lives in it (the
/// "no internal processes" rule). So below the root (a login session's scope, a systemd service with
/// `Delegate=yes`, a container's cgroup namespace) bexy moves itself into a leaf of its own cgroup,
/// `<own>/bexy-supervisor`, enables memory, pids and cpu in `<own>`, and makes its job group `<own>/bexy` a
/// sibling of that leaf. In the root cgroup nothing moves.
public struct CgroupV2Placement: Sendable, Equatable {
    /// Name of the leaf bexy moves itself into below a non-root cgroup.
    public static let supervisorLeafName = "bexy-supervisor"

    /// One controller bexy needs, and whether its own cgroup may use it.
    public struct Controller: Sendable, Equatable {
        public var name: String
        /// Listed in `<own>/cgroup.controllers`: the parent enabled it for bexy's cgroup.
        public var delegated: Bool
    }

    /// bexy's own cgroup directory, e.g. "/sys/fs/cgroup/system.slice/bexy.service" (the cgroup it started in).
    public var own: String
    /// Whether `own` is the root of the hierarchy (it has no `cgroup.type`), where processes and enabled
    /// controllers may coexist.
    public var isRoot: Bool
    /// Where bexy moves itself, `<own>/bexy-supervisor`; nil in the root cgroup.
    public var supervisorLeaf: String?
    /// The parent of the job cgroups, `<own>/bexy`.
    public var jobsParent: String
    /// memory, pids and cpu, each with whether it is delegated to `own`.
    public var controllers: [Controller]
    /// Every controller `<own>/cgroup.controllers` lists (empty if it cannot be read).
    public var ownControllers: [String]

    /// The controllers bexy needs that `own` may not use.
    public var missingControllers: [String] { controllers.filter { !$0.delegated }.map(\.name) }

    /// The placement for a process in the v2 cgroup `ownPath` (from /proc/self/cgroup) of the hierarchy mounted at
    /// `root`. An own path that is not visible under `root` (a container whose mount shows only its own cgroup)
    /// counts as `root`; an own cgroup that already is the supervisor leaf (an earlier `detect` in this process
    /// moved bexy there) counts as its parent.
    static func find(root: String, ownPath: String, fs: any CgroupFileSystem) -> CgroupV2Placement {
        var own = cgroupJoin(root, ownPath)
        if !fs.exists(own) { own = root }
        let leafSuffix = "/" + supervisorLeafName
        if own != root, own.hasSuffix(leafSuffix), fs.exists(own + "/cgroup.type") {
            own = String(own.dropLast(leafSuffix.count))
        }
        // Only non-root cgroups have cgroup.type; the root of a cgroup namespace is not the hierarchy's root.
        let isRoot = !fs.exists(own + "/cgroup.type")
        let listed = (fs.read(own + "/cgroup.controllers") ?? "").split(whereSeparator: \.isWhitespace)
            .map(String.init)
        return CgroupV2Placement(
            own: own, isRoot: isRoot, supervisorLeaf: isRoot ? nil : own + leafSuffix, jobsParent: own + "/bexy",
            controllers: CgroupV2Hierarchy.controllers.map { Controller(name: $0, delegated: listed.contains($0)) },
            ownControllers: listed)
    }

    /// How to give bexy's cgroup the controllers: the hint of every delegation error.
    public static let delegationFix = "delegate memory, pids and cpu to bexy's cgroup: systemd: Delegate=yes on bexy's unit "
        + "(bexy must be the unit's only process); a container: a cgroup namespace with /sys/fs/cgroup mounted "
        + "read-write (docker/podman --cgroupns=private); by hand: echo +memory +pids +cpu > cgroup.subtree_control "
        + "in every ancestor of bexy's cgroup"

    /// The error refusing to run when controllers are not delegated; nil when all are.
    func missingControllersError() -> JailError? {
        let missing = missingControllers
        if missing.isEmpty { return nil }
        let names = missing.joined(separator: ", ") + (missing.count == 1 ? " controller is" : " controllers are")
        let listed = ownControllers.joined(separator: " ")
        return JailError(
            .missingFeature, stage: "cgroup v2 delegation",
            message: "cgroup v2: the \(names) not delegated to bexy's cgroup \(own) (its cgroup.controllers lists "
                + "\"\(listed)\")",
            hint: Self.delegationFix)
    }
}
