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

    public init(runtimeDirectory: String = "/run/bexy", uidBase: UInt32 = 2_000_000_000, maxSlots: Int = 256,
                cgroupMode: String = "auto") {
        self.runtimeDirectory = runtimeDirectory
        self.uidBase = uidBase
        self.maxSlots = maxSlots
        self.cgroupMode = cgroupMode
    }

    /// The defaults, overridden by BEXY_RUNTIME_DIR, BEXY_UID_BASE, BEXY_MAX_SLOTS and BEXY_CGROUP.
    public static func fromEnvironment() -> SandboxConfiguration {
        var configuration = SandboxConfiguration()
        if let value = getenv("BEXY_RUNTIME_DIR") { configuration.runtimeDirectory = String(cString: value) }
        if let value = getenv("BEXY_UID_BASE"), let base = UInt32(String(cString: value)), base > 65535 {
            configuration.uidBase = base
        }
        if let value = getenv("BEXY_MAX_SLOTS"), let count = Int(String(cString: value)), count > 0 {
            configuration.maxSlots = count
        }
        if let value = getenv("BEXY_CGROUP") { configuration.cgroupMode = String(cString: value) }
        return configuration
    }
}

/// Runs jobs in single-use sandboxes: fresh user, pid, mount, net, ipc, uts and cgroup namespaces, a minimal
/// read-only root, cgroup limits, rlimits, no capabilities, no_new_privs and a seccomp allowlist.
///
/// `init` checks the host once and fails closed if anything a job needs is missing; `run` is then the
/// per-job path: take a slot, create the cgroup, spawn (C child path), supervise, collect, clean up.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    public let cgroups: any CgroupHierarchy
    /// Whether blocked system calls are reported by name (seccomp user notification) or only killed.
    public let notifiesBlockedSyscalls: Bool
    private let capLastCap: Int32
    private let rootMountPoint: String

    /// Check the host and prepare the runtime directory.
    public init(configuration: SandboxConfiguration = .fromEnvironment()) throws(JailError) {
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
        capLastCap = features.capLastCap
        rootMountPoint = configuration.runtimeDirectory + "/root"
        for directory in [configuration.runtimeDirectory, rootMountPoint] {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw .system("create \(directory)", hint: "run bexy as root")
            }
        }
    }

    /// Run one job to completion. Throws only if the sandbox could not be set up (the program never ran);
    /// everything the program does, including being killed, is in the outcome.
    ///
    /// - Parameters:
    ///   - cancellation: when it fires, the job is killed and the outcome says `.cancelled`.
    ///   - output: sees each chunk of captured output as it is read (on this thread).
    public func run(_ job: JobSpec, cancellation: CancellationSignal? = nil,
                    output: OutputHandler? = nil) throws(JailError) -> JailOutcome {
        let slot = try IdentitySlot(directory: slotDirectory, uidBase: configuration.uidBase,
                                    count: configuration.maxSlots)
        let cgroup = try cgroups.create(name: Self.cgroupName(slot: slot.number), limits: job.limits)
        var cgroupDestroyed = false
        defer { if !cgroupDestroyed { try? cgroup.destroy() } }

        let steps = try RootFilesystem.plan(limits: job.limits, files: job.files, hostname: job.hostname)
        let stdinFD = try Syscall.memfd("bexy-stdin", bytes: job.stdin ?? [])
        var parentFDs: [Int32] = []
        defer { for fd in parentFDs { close(fd) } }
        var childFDs: [Int32] = [stdinFD]
        defer { for fd in childFDs { close(fd) } }
        let stdoutPipe = try Syscall.pipe("stdout pipe")
        parentFDs.append(stdoutPipe.read)
        childFDs.append(stdoutPipe.write)
        let stderrPipe = try Syscall.pipe("stderr pipe")
        parentFDs.append(stderrPipe.read)
        childFDs.append(stderrPipe.write)
        var seccompSocket: (parent: Int32, child: Int32)?
        if notifiesBlockedSyscalls {
            let pair = try Syscall.socketPair("seccomp socketpair")
            parentFDs.append(pair.0)
            childFDs.append(pair.1)
            seccompSocket = (pair.0, pair.1)
        }
        var workdirSocket: (parent: Int32, child: Int32)?
        if job.artifacts != nil {
            let pair = try Syscall.socketPair("workdir socketpair")
            parentFDs.append(pair.0)
            childFDs.append(pair.1)
            workdirSocket = (pair.0, pair.1)
        }

        guard let emptyCaps = cap_init() else { throw .system("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(emptyCaps)) }

        let arena = CPlanArena()
        var plan = bj_plan()
        plan.clone_flags = bj_job_clone_flags()
        plan.cgroup_dir_fd = cgroup.cloneIntoFD ?? -1
        plan.cgroup_join_fds = arena.array(cgroup.joinFDs)
        plan.cgroup_join_count = Int32(cgroup.joinFDs.count)
        plan.uid_map = arena.string(slot.idMap)
        plan.gid_map = arena.string(slot.idMap)
        plan.root_dir = arena.string(rootMountPoint)
        plan.root_options = arena.string("size=1m,nr_inodes=1024,mode=0755")
        plan.mounts = arena.array(steps.map { $0.cValue(in: arena) })
        plan.mount_count = Int32(steps.count)
        plan.hostname = arena.string(job.hostname)
        plan.job_uid = IdentitySlot.jobId
        plan.job_gid = IdentitySlot.jobId
        plan.stdin_fd = stdinFD
        plan.stdout_fd = stdoutPipe.write
        plan.stderr_fd = stderrPipe.write
        let rlimits = Self.rlimits(job.limits)
        plan.rlimits = arena.array(rlimits)
        plan.rlimit_count = Int32(rlimits.count)
        plan.cap_last_cap = capLastCap
        plan.empty_caps = emptyCaps
        plan.bpf = UnsafeRawPointer(arena.bytes(job.seccomp.program))
        plan.bpf_instructions = job.seccomp.instructionCount
        plan.seccomp_notify = seccompSocket == nil ? 0 : 1
        plan.seccomp_socket = seccompSocket?.child ?? -1
        plan.workdir = arena.string(RootFilesystem.workdir)
        plan.workdir_socket = workdirSocket?.child ?? -1
        plan.path = arena.string(job.executable)
        plan.argv = arena.stringArray([job.executable] + job.arguments)
        plan.envp = arena.stringArray(job.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })

        var child = bj_child()
        var failedStep: UnsafePointer<CChar>?
        let rc = bj_spawn(&plan, &child, &failedStep)
        for fd in childFDs { close(fd) }
        childFDs.removeAll()
        guard rc == 0 else {
            let step = failedStep.map { String(cString: $0) } ?? "spawn"
            let hint = step == "clone3" ? "enable user namespaces: sysctl user.max_user_namespaces=15000" : nil
            throw .system(step, errno: -rc, hint: hint)
        }
        parentFDs.append(child.pidfd)
        parentFDs.append(child.error_fd)
        parentFDs.append(child.status_fd)
        parentFDs.append(child.lifeline_fd)

        // The program has started when the error pipe reaches EOF (closed by a successful execve).
        let setup = Self.awaitExec(child.error_fd)
        if case .started = setup {} else {
            _ = bj_pidfd_signal(child.pidfd, SIGKILL)
            Self.reap(child.pid)
            try cgroup.destroy()
            cgroupDestroyed = true
            if case .failed(let failure) = setup { throw Self.describe(failure, steps: steps) }
            throw JailError(.setupFailed, stage: "sandbox setup", message: "sandbox setup did not finish within "
                            + "\(Self.setupTimeoutMs / 1000) s", hint: "check `bexy doctor` and the kernel log")
        }
        let started = Syscall.monotonicNanoseconds()
        var listenerFD: Int32 = -1
        if let socket = seccompSocket {
            listenerFD = bj_receive_fd(socket.parent)
            guard listenerFD >= 0 else {
                _ = bj_pidfd_signal(child.pidfd, SIGKILL)
                Self.reap(child.pid)
                throw .system("receive seccomp listener", errno: -listenerFD)
            }
            parentFDs.append(listenerFD)
        }

        var workdirFD: Int32 = -1
        if let socket = workdirSocket {
            workdirFD = bj_receive_fd(socket.parent)
            guard workdirFD >= 0 else {
                _ = bj_pidfd_signal(child.pidfd, SIGKILL)
                Self.reap(child.pid)
                throw .system("receive the workdir fd", errno: -workdirFD)
            }
            parentFDs.append(workdirFD)
        }

        var supervisor = Supervisor(pidfd: child.pidfd, stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read,
                                    listenerFD: listenerFD, cancelFD: cancellation?.readFD ?? -1,
                                    limits: job.limits, started: started, output: output,
                                    killCgroup: { _ = cgroup.kill() })
        supervisor.run()
        Self.reap(child.pid)
        let ended = Syscall.monotonicNanoseconds()
        let report = Self.readExitReport(child.status_fd)

        var termination = JailOutcome.Termination.killed
        if let report {
            let wait = report.wait_status
            if wait & 0x7f == 0 {
                termination = .exited((wait >> 8) & 0xff)
            } else {
                termination = .signaled(wait & 0x7f)
            }
        }
        // The job has ended: no process is left to race the copy (see `ArtifactCollector`).
        let artifacts = job.artifacts.map { ArtifactCollector.collect(from: workdirFD, $0) } ?? []
        let stats = cgroup.stats()
        try cgroup.destroy()
        cgroupDestroyed = true
        return JailOutcome(
            termination: termination, stdout: supervisor.stdout.bytes, stderr: supervisor.stderr.bytes,
            stdoutTruncated: supervisor.stdout.truncated, stderrTruncated: supervisor.stderr.truncated,
            wallNanoseconds: ended - started,
            cpuMicroseconds: report.map { $0.utime_us + $0.stime_us } ?? 0,
            cgroup: stats, enforced: supervisor.enforced,
            blockedSyscall: supervisor.blockedSyscall.map { SeccompFilter.syscallName($0) },
            hostUid: slot.hostJobId, artifacts: artifacts)
    }

    /// Where the identity slots' lock files live.
    var slotDirectory: String { configuration.runtimeDirectory + "/slots" }

    /// The cgroup of the job in slot `slot`: `job-<slot>`.
    public static func cgroupName(slot: Int) -> String { "job-\(slot)" }

    /// The rlimits every job gets: cpu, file size, open files, no core dumps, no locked memory, stack, nproc.
    static func rlimits(_ limits: ResourceLimits) -> [bj_rlimit] {
        let cpuSeconds = UInt64((limits.cpuTimeMs + 999) / 1000)
        func limit(_ resource: Int32, _ soft: UInt64, _ hard: UInt64? = nil) -> bj_rlimit {
            bj_rlimit(resource: resource, soft: soft, hard: hard ?? soft)
        }
        func limit(_ resource: __rlimit_resource, _ soft: UInt64, _ hard: UInt64? = nil) -> bj_rlimit {
            limit(Int32(resource.rawValue), soft, hard)
        }
        return [
            limit(RLIMIT_CPU, cpuSeconds, cpuSeconds + 1),
            limit(RLIMIT_FSIZE, UInt64(limits.fileSizeBytes)),
            limit(RLIMIT_NOFILE, UInt64(limits.openFiles)),
            limit(RLIMIT_CORE, 0),
            limit(bj_rlimit_memlock(), 0),
            limit(RLIMIT_STACK, UInt64(limits.stackBytes)),
            limit(bj_rlimit_nproc(), UInt64(limits.pids)),  // counted per job uid, which is unique
        ]
    }

    /// How long the child may take from clone3 to execve before it is killed.
    static let setupTimeoutMs: Int32 = 10_000

    private enum SetupState {
        case started
        case failed(bj_child_error)
        case timedOut
    }

    /// Wait for the error pipe: EOF means the program exec'd, data is the child's setup error.
    private static func awaitExec(_ fd: Int32) -> SetupState {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, setupTimeoutMs) } while ready < 0 && errno == EINTR
        guard ready > 0 else { return .timedOut }
        var failure = bj_child_error()
        let n = withUnsafeMutableBytes(of: &failure) { Syscall.read(fd, into: $0) }
        return n == MemoryLayout<bj_child_error>.size ? .failed(failure) : .started
    }

    private static func readExitReport(_ fd: Int32) -> bj_exit_report? {
        Syscall.setNonBlocking(fd)
        var report = bj_exit_report()
        let n = withUnsafeMutableBytes(of: &report) { Syscall.read(fd, into: $0) }
        return n == MemoryLayout<bj_exit_report>.size ? report : nil
    }

    /// waitpid(2) the job's init; its exit ends every process of the job (pid namespace teardown).
    @discardableResult
    private static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return status
    }

    private static func describe(_ failure: bj_child_error, steps: [MountStep]) -> JailError {
        var stage = String(cString: bj_stage_name(failure.stage))
        if failure.stage == Int32(BJ_STAGE_MOUNT.rawValue), failure.index >= 0, Int(failure.index) < steps.count {
            stage += ": " + steps[Int(failure.index)].summary
        }
        var hint: String?
        if failure.stage == Int32(BJ_STAGE_EXEC.rawValue) {
            hint = "check that the profile's interpreter exists under /usr on this host"
        } else if failure.stage == Int32(BJ_STAGE_SECCOMP.rawValue) {
            hint = "the kernel needs CONFIG_SECCOMP_FILTER"
        }
        return .system(stage, errno: failure.err, hint: hint)
    }
}
