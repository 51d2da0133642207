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
    /// Pre-isolated sandboxes forked from a pre-initialised interpreter (`WarmPool`); nil: every job is cold.
    public var warm: WarmPoolConfiguration?

    public init(runtimeDirectory: String = "/run/bexy", uidBase: UInt32 = 2_000_000_000, maxSlots: Int = 256,
                cgroupMode: String = "auto", warm: WarmPoolConfiguration? = nil) {
        self.runtimeDirectory = runtimeDirectory
        self.uidBase = uidBase
        self.maxSlots = maxSlots
        self.cgroupMode = cgroupMode
        self.warm = warm
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
/// per-job path: take a slot, create the cgroup, spawn (C child path), supervise, collect, clean up. With a
/// warm pool the spawn happened ahead of time (`WarmSandbox`), through the same C child path.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    public let cgroups: any CgroupHierarchy
    /// Whether blocked system calls are reported by name (seccomp user notification) or only killed.
    public let notifiesBlockedSyscalls: Bool
    /// Pre-isolated sandboxes, when `configuration.warm` asks for them.
    public let warmPool: WarmPool?
    /// What the cold path and the warm pool share.
    let host: SandboxHost
    var capLastCap: Int32 { host.capLastCap }
    var rootMountPoint: String { host.rootMountPoint }

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
        let rootMountPoint = configuration.runtimeDirectory + "/root"
        for directory in [configuration.runtimeDirectory, rootMountPoint] {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw .system("create \(directory)", hint: "run bexy as root")
            }
        }
        let host = SandboxHost(configuration: configuration, cgroups: cgroups, capLastCap: features.capLastCap,
                               rootMountPoint: rootMountPoint, notifiesBlockedSyscalls: notifiesBlockedSyscalls)
        self.host = host
        warmPool = configuration.warm.map { WarmPool(configuration: $0, host: host) }
    }

    /// Run one job to completion. Throws only if the sandbox could not be set up (the program never ran);
    /// everything the program does, including being killed, is in the outcome.
    ///
    /// - Parameters:
    ///   - cancellation: when it fires, the job is killed and the outcome says `.cancelled`.
    ///   - output: sees each chunk of captured output as it is read (on this thread).
    public func run(_ job: JobSpec, cancellation: CancellationSignal? = nil,
                    output: OutputHandler? = nil) throws(JailError) -> JailOutcome {
        if let warmPool, let sandbox = try warmPool.take(for: job) {
            return try sandbox.run(job, cancellation: cancellation, output: output)
        }
        return try runCold(job, cancellation: cancellation, output: output)
    }

    /// The cold path: everything from the slot to the program's execve happens now, for this job.
    func runCold(_ job: JobSpec, cancellation: CancellationSignal?, output: OutputHandler?) throws(JailError)
        -> JailOutcome {
        let slot = try host.takeSlot()
        let cgroup = try cgroups.create(name: Self.cgroupName(slot: slot.number), limits: job.limits)
        var cgroupDestroyed = false
        defer { if !cgroupDestroyed { try? cgroup.destroy() } }

        let sandboxPlan = try SandboxPlan(job: job, files: job.files, idMap: slot.idMap, rootDirectory: rootMountPoint,
                                          capLastCap: capLastCap, seccompNotify: notifiesBlockedSyscalls)
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
        var plan = sandboxPlan.cPlan(in: arena)
        plan.cgroup_dir_fd = cgroup.cloneIntoFD ?? -1
        plan.cgroup_join_fds = arena.array(cgroup.joinFDs)
        plan.cgroup_join_count = Int32(cgroup.joinFDs.count)
        plan.empty_caps = emptyCaps
        plan.stdin_fd = stdinFD
        plan.stdout_fd = stdoutPipe.write
        plan.stderr_fd = stderrPipe.write
        plan.seccomp_socket = seccompSocket?.child ?? -1
        plan.workdir_socket = workdirSocket?.child ?? -1
        plan.handover_fd = -1
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
            throw Self.setupError(setup, plan: sandboxPlan)
        }
        let started = Syscall.monotonicNanoseconds()
        let running = try Self.receiveJobFDs(pidfd: child.pidfd, seccompSocket: seccompSocket?.parent,
                                             workdirSocket: workdirSocket?.parent, onFailure: { Self.reap(child.pid) })
        parentFDs += [running.listenerFD, running.workdirFD].filter { $0 >= 0 }
        cgroupDestroyed = true
        return try Self.supervise(
            job, kind: .cold, pidfd: child.pidfd, statusFD: child.status_fd, stdoutFD: stdoutPipe.read,
            stderrFD: stderrPipe.read, listenerFD: running.listenerFD, workdirFD: running.workdirFD, started: started,
            cgroup: cgroup, hostUid: slot.hostJobId, cancellation: cancellation, output: output,
            afterExit: { Self.reap(child.pid) })
    }

    /// The seccomp listener and the workdir fd a started job sends (each -1 when not asked for). On failure
    /// the job is killed and `onFailure` runs (the caller reaps).
    static func receiveJobFDs(pidfd: Int32, seccompSocket: Int32?, workdirSocket: Int32?,
                              onFailure: () -> Void) throws(JailError) -> (listenerFD: Int32, workdirFD: Int32) {
        var listenerFD: Int32 = -1, workdirFD: Int32 = -1
        if let seccompSocket {
            listenerFD = bj_receive_fd(seccompSocket)
            guard listenerFD >= 0 else {
                _ = bj_pidfd_signal(pidfd, SIGKILL)
                onFailure()
                throw .system("receive seccomp listener", errno: -listenerFD)
            }
        }
        if let workdirSocket {
            workdirFD = bj_receive_fd(workdirSocket)
            guard workdirFD >= 0 else {
                _ = bj_pidfd_signal(pidfd, SIGKILL)
                onFailure()
                if listenerFD >= 0 { close(listenerFD) }
                throw .system("receive the workdir fd", errno: -workdirFD)
            }
        }
        return (listenerFD, workdirFD)
    }

    /// From a started program to the outcome, on either path: supervise until the end, `afterExit` (the cold
    /// path reaps its init), read the exit report, copy the artifacts out, read and remove the cgroup.
    static func supervise(_ job: JobSpec, kind: SandboxKind, pidfd: Int32, statusFD: Int32, stdoutFD: Int32,
                          stderrFD: Int32, listenerFD: Int32, workdirFD: Int32, started: UInt64, cgroup: JobCgroup,
                          hostUid: UInt32, cancellation: CancellationSignal?, output: OutputHandler?,
                          afterExit: () -> Void) throws(JailError) -> JailOutcome {
        var supervisor = Supervisor(pidfd: pidfd, stdoutFD: stdoutFD, stderrFD: stderrFD, listenerFD: listenerFD,
                                    cancelFD: cancellation?.readFD ?? -1, limits: job.limits, started: started,
                                    output: output, killCgroup: { _ = cgroup.kill() })
        supervisor.run()
        afterExit()
        let ended = Syscall.monotonicNanoseconds()
        let report = readExitReport(statusFD)

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
        return JailOutcome(
            termination: termination, stdout: supervisor.stdout.bytes, stderr: supervisor.stderr.bytes,
            stdoutTruncated: supervisor.stdout.truncated, stderrTruncated: supervisor.stderr.truncated,
            wallNanoseconds: ended - started,
            cpuMicroseconds: report.map { $0.utime_us + $0.stime_us } ?? 0,
            cgroup: stats, enforced: supervisor.enforced,
            blockedSyscall: supervisor.blockedSyscall.map { SeccompFilter.syscallName($0) },
            hostUid: hostUid, artifacts: artifacts, sandbox: kind)
    }

    /// Where the identity slots' lock files live.
    var slotDirectory: String { host.slotDirectory }

    /// The cgroup of the job in slot `slot`: `job-<slot>`.
    public static func cgroupName(slot: Int) -> String { "job-\(slot)" }

    /// How long the child may take from clone3 to execve before it is killed.
    static let setupTimeoutMs: Int32 = 10_000

    enum SetupState {
        case started
        case failed(bj_child_error)
        case timedOut
    }

    /// Wait for the error pipe: EOF means the program exec'd, data is the child's setup error.
    static func awaitExec(_ fd: Int32) -> SetupState {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, setupTimeoutMs) } while ready < 0 && errno == EINTR
        guard ready > 0 else { return .timedOut }
        var failure = bj_child_error()
        let n = withUnsafeMutableBytes(of: &failure) { Syscall.read(fd, into: $0) }
        return n == MemoryLayout<bj_child_error>.size ? .failed(failure) : .started
    }

    static func readExitReport(_ fd: Int32) -> bj_exit_report? {
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

    /// The error for a setup that did not reach the program.
    static func setupError(_ setup: SetupState, plan: SandboxPlan?) -> JailError {
        guard case .failed(let failure) = setup else {
            return JailError(.setupFailed, stage: "sandbox setup", message: "sandbox setup did not finish within "
                             + "\(setupTimeoutMs / 1000) s", hint: "check `bexy doctor` and the kernel log")
        }
        var stage = String(cString: bj_stage_name(failure.stage))
        if failure.stage == Int32(BJ_STAGE_MOUNT.rawValue), let summary = plan?.mountSummary(failure.index) {
            stage += ": " + summary
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
