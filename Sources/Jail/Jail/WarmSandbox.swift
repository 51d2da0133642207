#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// One pre-isolated, single-use sandbox forked by a `Zygote` through the same C child path as a cold job:
/// fresh user, pid, mount, net, ipc, uts and cgroup namespaces, its own root and tmpfs, its own cgroup and
/// identity slot, rlimits, no capabilities, no_new_privs. It waits for exactly one job; seccomp is installed
/// with the job, before any of the job's bytes run. After the job (or when recycled) it is destroyed.
final class WarmSandbox: @unchecked Sendable {
    let shape: WarmShape
    /// When the zygote forked it (monotonic ns).
    let created = Syscall.monotonicNanoseconds()
    let cgroup: JobCgroup
    private let slot: IdentitySlot
    private let child: Zygote.Child
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let handoverFD: Int32
    private let workdirSocket: Int32
    private let seccompSocket: Int32
    private let notifies: Bool
    private var isReady = false
    private var finished = false

    private init(shape: WarmShape, cgroup: JobCgroup, slot: consuming IdentitySlot, child: Zygote.Child,
                 parentFDs: [Int32], notifies: Bool) {
        self.shape = shape
        self.cgroup = cgroup
        self.slot = slot
        self.child = child
        stdoutFD = parentFDs[0]
        stderrFD = parentFDs[1]
        handoverFD = parentFDs[2]
        workdirSocket = parentFDs[3]
        seccompSocket = parentFDs[4]
        self.notifies = notifies
    }

    /// Fork a sandbox for jobs of `shape` (`template` gives its limits, hostname and seccomp filter). (A factory
    /// rather than a throwing initialiser: nothing of the object exists until everything that can fail has.)
    static func fork(zygote: Zygote, shape: WarmShape, template: JobSpec, host: SandboxHost) throws(JailError)
        -> WarmSandbox {
        let slot = try host.takeSlot()
        let cgroup = try host.cgroups.create(name: Sandbox.cgroupName(slot: slot.number), limits: template.limits)
        var parentFDs: [Int32] = [], childFDs: [Int32] = []
        defer { for fd in childFDs { close(fd) } }
        do throws(JailError) {
            let plan = try SandboxPlan(job: template, files: [], idMap: slot.idMap, rootDirectory: host.rootMountPoint,
                                       capLastCap: host.capLastCap, seccompNotify: host.notifiesBlockedSyscalls)
            let stdinPlaceholder = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard stdinPlaceholder >= 0 else { throw .system("open /dev/null") }
            childFDs.append(stdinPlaceholder)
            let stdout = try Syscall.pipe("stdout pipe")
            parentFDs.append(stdout.read)
            childFDs.append(stdout.write)
            let stderr = try Syscall.pipe("stderr pipe")
            parentFDs.append(stderr.read)
            childFDs.append(stderr.write)
            var pair: [Int32] = [-1, -1]
            let rc = bj_seqpacket_pair(&pair)
            guard rc == 0 else { throw .system("handover socketpair", errno: -rc) }
            parentFDs.append(pair[0])
            childFDs.append(pair[1])
            let workdir = try Syscall.socketPair("workdir socketpair")
            parentFDs.append(workdir.0)
            childFDs.append(workdir.1)
            let seccomp = try Syscall.socketPair("seccomp socketpair")
            parentFDs.append(seccomp.0)
            childFDs.append(seccomp.1)
            let cgroupFDs = (cgroup.cloneIntoFD.map { [$0] } ?? []) + cgroup.joinFDs
            let message = ZygoteWire.spawnMessage(plan, joinFDCount: cgroup.joinFDs.count,
                                                  hasCgroupDirectory: cgroup.cloneIntoFD != nil)
            let child = try zygote.spawn(message, fds: childFDs + cgroupFDs)
            return WarmSandbox(shape: shape, cgroup: cgroup, slot: slot, child: child, parentFDs: parentFDs,
                               notifies: host.notifiesBlockedSyscalls)
        } catch {
            for fd in parentFDs { close(fd) }
            try? cgroup.destroy()
            throw error
        }
    }

    deinit {
        if !finished { discard() }
        for fd in [child.pidfd, child.errorFD, child.statusFD, child.lifelineFD, stdoutFD, stderrFD, handoverFD,
                   workdirSocket, seccompSocket] {
            close(fd)
        }
    }

    /// Wait until the sandbox is isolated and waiting (its 'R'), or throw the setup error it reported.
    func awaitReady(timeoutMs: Int32 = Sandbox.setupTimeoutMs) throws(JailError) {
        guard !isReady else { return }
        var entries = [pollfd(fd: handoverFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.errorFD, events: Int16(POLLIN), revents: 0)]
        var ready: Int32
        repeat { ready = poll(&entries, 2, timeoutMs) } while ready < 0 && errno == EINTR
        var byte: UInt8 = 0
        if ready > 0, entries[0].revents & Int16(POLLIN) != 0, recv(handoverFD, &byte, 1, Int32(MSG_DONTWAIT)) == 1,
           byte == UInt8(ascii: "R") {
            isReady = true
            return
        }
        let failure: Sandbox.SetupState = ready > 0 ? Sandbox.awaitExec(child.errorFD) : .timedOut
        if case .started = failure {
            throw JailError(.setupFailed, stage: "warm sandbox", message: "the warm sandbox ended before it was ready")
        }
        throw Sandbox.setupError(failure, plan: nil)
    }

    /// Whether the sandbox is still waiting (it may have been killed from outside).
    var isAlive: Bool {
        var entry = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    /// Hand over `job` and run it to the end; the sandbox is destroyed afterwards.
    func run(_ job: JobSpec, cancellation: CancellationSignal?, output: OutputHandler?) throws(JailError)
        -> JailOutcome {
        defer { finished = true }
        do throws(JailError) {
            try awaitReady()
            let scriptIndex = job.scriptArgumentIndex ?? 0
            let jobFD = try Syscall.memfd("bexy-job", bytes: ZygoteWire.job(
                script: job.arguments[scriptIndex], arguments: Array(job.arguments[(scriptIndex + 1)...]),
                files: job.files))
            defer { close(jobFD) }
            let stdinFD = try Syscall.memfd("bexy-stdin", bytes: job.stdin ?? [])
            defer { close(stdinFD) }
            // The wall clock starts at the handover.
            let started = Syscall.monotonicNanoseconds()
            var tag = UInt8(ascii: "J")
            let fds = [jobFD, stdinFD]
            let sent = bj_send_message(handoverFD, &tag, 1, fds, 2)
            guard sent == 0 else { throw JailError.system("hand the job over", errno: -sent) }
            let setup = Sandbox.awaitExec(child.errorFD)
            guard case .started = setup else { throw Sandbox.setupError(setup, plan: nil) }
            let running = try Sandbox.receiveJobFDs(pidfd: child.pidfd, seccompSocket: notifies ? seccompSocket : nil,
                                                    workdirSocket: job.artifacts != nil ? workdirSocket : nil,
                                                    onFailure: {})
            defer { for fd in [running.listenerFD, running.workdirFD] where fd >= 0 { close(fd) } }
            return try Sandbox.supervise(
                job, kind: .warm, pidfd: child.pidfd, statusFD: child.statusFD, stdoutFD: stdoutFD, stderrFD: stderrFD,
                listenerFD: running.listenerFD, workdirFD: running.workdirFD, started: started, cgroup: cgroup,
                hostUid: slot.hostJobId, cancellation: cancellation, output: output, afterExit: awaitReaped)
        } catch {
            discard()
            throw error
        }
    }

    /// Kill the sandbox (it never ran a job, or its job failed to start), wait for it and remove its cgroup.
    func discard() {
        finished = true
        _ = bj_pidfd_signal(child.pidfd, SIGKILL)
        _ = cgroup.kill()
        awaitReaped()
        try? cgroup.destroy()
    }

    /// Wait until the zygote has reaped the init (the pid is gone, not a zombie), up to 5 s: the identity slot
    /// must not be free while any process of it is left.
    private func awaitReaped() {
        var entry = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, 5_000) } while ready < 0 && errno == EINTR
        var waited = 0
        while bj_pidfd_signal(child.pidfd, 0) == 0, waited < 50_000 {
            usleep(100)
            waited += 1
        }
    }
}
