#if canImport(Glibc)
import Glibc
#endif
import CJailShim
import CCap

/// Where the sandbox keeps its host-side state, and how it allocates identities.
public struct SandboxConfiguration: Sendable {
    /// Runtime directory: slot locks and the (empty) mount point of every job's root. Default `/run/bexy`.
    public var runtimeDirectory: String
    /// First host uid/gid of the range jobs run as (slot n: base + 2n, base + 2n + 1). Default 2,000,000,000.
    public var uidBase: UInt32
    /// How many jobs may run at once on this host. Default 256.
    public var maxSlots: Int
    /// cgroup hierarchy selection: "auto", "v1" or "v2".
    public var cgroupMode: String

    /// The defaults above, or the given values (a front door fills them from BEXY_RUNTIME_DIR, BEXY_UID_BASE,
    /// BEXY_MAX_SLOTS and BEXY_CGROUP: see Bexy's `BexySettings`).
    public init(runtimeDirectory: String = "/run/bexy", uidBase: UInt32 = 2_000_000_000, maxSlots: Int = 256,
                cgroupMode: String = "auto") {
        self.runtimeDirectory = runtimeDirectory
        self.uidBase = uidBase
        self.maxSlots = maxSlots
        self.cgroupMode = cgroupMode
    }
}

/// Runs jobs in single-use sandboxes, set up for each job (the cold path): fresh user, pid, mount, net, ipc,
/// uts and cgroup namespaces, a minimal read-only root, cgroup limits, rlimits, no capabilities, no_new_privs
/// and a seccomp allowlist.
///
/// `init` checks the host once and fails closed if anything a job needs is missing; `run` is then the
/// per-job path: take a slot, create the cgroup, spawn (C child path), supervise, collect, clean up. Sandboxes
/// made ahead of time are JailWarm's `WarmPool`, built over a `Sandbox` (its `host`) and tried first by the
/// caller; what both paths share is `JobChannels`, `JobSetup` and `StartedJob`.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    public let cgroups: any CgroupHierarchy
    /// Whether blocked system calls are reported by name (seccomp user notification) or only killed.
    public let notifiesBlockedSyscalls: Bool
    /// What every sandbox of this host shares, cold or warm.
    package let host: SandboxHost

    /// Check the host and prepare the runtime directory.
    public init(configuration: SandboxConfiguration = SandboxConfiguration()) throws(JailError) {
        self.configuration = configuration
        let features = HostFeatures.probe()
        if let missing = features.firstMissingRequirement() { throw missing }
        cgroups = try Cgroups.detect(mode: configuration.cgroupMode)
        if let missing = cgroups.missingFeatures().first {
            throw JailError(.missingFeature, stage: "cgroup \(cgroups.version.rawValue)",
                            message: "cgroup \(cgroups.version.rawValue): \(missing.feature) is missing",
                            hint: missing.fix)
        }
        notifiesBlockedSyscalls = features.seccompUserNotification
        let rootMountPoint = configuration.runtimeDirectory + "/root"
        for directory in [configuration.runtimeDirectory, rootMountPoint] {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw .system("create \(directory)", hint: "run bexy as root")
            }
        }
        try RuntimeDirectoryAccess.check(rootMountPoint)
        host = SandboxHost(configuration: configuration, cgroups: cgroups, capLastCap: features.capLastCap,
                           rootMountPoint: rootMountPoint, notifiesBlockedSyscalls: notifiesBlockedSyscalls)
    }

    /// Run one job to completion in a sandbox set up now, for it. Throws only if the sandbox could not be set
    /// up (the program never ran); everything the program does, including being killed, is in the outcome.
    ///
    /// - Parameters:
    ///   - cancellation: when it fires, the job is killed and the outcome says `.cancelled`.
    ///   - output: sees each chunk of captured output as it is read (on this thread).
    public func run(_ job: JobSpec, cancellation: CancellationSignal? = nil,
                    output: OutputHandler? = nil) throws(JailError) -> JailOutcome {
        let slot = try host.takeSlot()
        let cgroup = try cgroups.create(name: cgroupName(slot: slot.number), limits: job.limits)
        var removeCgroupOnExit = true
        defer { if removeCgroupOnExit { try? cgroup.destroy() } }

        // A workspace job's user is the workspace's owner (checked), its directory a detached bind for the init.
        let owner = try job.workspace?.jobUser(outside: configuration)
        let workspaceTree = try job.workspace?.detachedTree() ?? -1
        defer { if workspaceTree >= 0 { close(workspaceTree) } }
        let jobUser = owner ?? HostDirectory.Owner(uid: slot.hostJobId, gid: slot.hostJobId)
        let sandboxPlan = SandboxPlan(job: job, files: job.files, uidMap: slot.idMap(jobUserOnHost: jobUser.uid),
                                      gidMap: slot.idMap(jobUserOnHost: jobUser.gid),
                                      rootDirectory: host.rootMountPoint, capLastCap: host.capLastCap,
                                      seccompNotify: notifiesBlockedSyscalls)
        let stdinFD = try job.stdin.descriptorForJob()
        var childEndsOpen = true
        defer { if childEndsOpen { close(stdinFD) } }
        let channels = try JobChannels(seccomp: notifiesBlockedSyscalls, workdir: job.artifacts != nil,
                                       handover: false)
        defer { channels.closeHostEnds() }
        defer { if childEndsOpen { channels.closeChildEnds() } }

        guard let emptyCaps = cap_init() else { throw .system("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(emptyCaps)) }

        let decoded = try DecodedPlan(sandboxPlan)
        let arena = CPlanArena()
        decoded.plan.cgroup_dir_fd = cgroup.cloneIntoFD ?? -1
        decoded.plan.cgroup_join_fds = arena.array(cgroup.joinFDs)
        decoded.plan.cgroup_join_count = Int32(cgroup.joinFDs.count)
        decoded.plan.empty_caps = emptyCaps
        decoded.plan.stdin_fd = stdinFD
        decoded.plan.stdout_fd = channels.stdout.child
        decoded.plan.stderr_fd = channels.stderr.child
        decoded.plan.seccomp_socket = channels.seccomp?.child ?? -1
        decoded.plan.workdir_socket = channels.workdir?.child ?? -1
        decoded.plan.workspace_tree_fd = workspaceTree
        decoded.plan.path = arena.string(job.command.interpreter)
        decoded.plan.argv = arena.stringArray(job.command.argv)
        decoded.plan.envp = arena.stringArray(job.environment.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" })

        var spawned = bj_child()
        var failedStep: UnsafePointer<CChar>?
        // The child reads the plan and the arena's memory (its copy of them): both live until bj_spawn returned.
        let rc = withExtendedLifetime((decoded, arena)) { bj_spawn(&decoded.plan, &spawned, &failedStep) }
        close(stdinFD)
        channels.closeChildEnds()
        childEndsOpen = false
        guard rc == 0 else {
            throw JobSetup.spawnError(step: failedStep.map { String(cString: $0) } ?? "spawn", errno: -rc)
        }
        let child = JobChild(spawned)
        defer { for fd in child.fds { close(fd) } }

        // The program has started when the error pipe reaches EOF (closed by a successful execve).
        let setup = JobSetup.awaitStart(child.errorFD)
        guard case .started = setup else {
            child.kill()
            Syscall.waitpid(child.pid)
            try cgroup.destroy()
            removeCgroupOnExit = false
            throw JobSetup.error(setup, plan: sandboxPlan)
        }
        let started = StartedJob(job: job, kind: .cold, child: child, channels: channels, cgroup: cgroup,
                                 hostUid: jobUser.uid, started: Syscall.monotonicNanoseconds())
        removeCgroupOnExit = false  // `StartedJob.run` removes it
        // Reaping the init ends every process of the job (pid namespace teardown).
        return try started.run(notifies: notifiesBlockedSyscalls, cancellation: cancellation, output: output,
                               afterExit: { Syscall.waitpid(child.pid) })
    }

    /// Where the identity slots' lock files live.
    var slotDirectory: String { host.slotDirectory }

    /// The cgroup of the job in slot `slot`: `job-<instance>-<slot>` (see `SandboxConfiguration.cgroupName`).
    public func cgroupName(slot: Int) -> String { configuration.cgroupName(slot: slot) }
}
