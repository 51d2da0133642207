#if canImport(Glibc)
import Glibc
#endif
import CJailShim
import Jail

/// One pre-isolated, single-use sandbox forked by a `Zygote` through the same C child path as a cold job:
/// fresh user, pid, mount, net, ipc, uts and cgroup namespaces, its own root and tmpfs, its own cgroup and
/// identity slot, rlimits, no capabilities, no_new_privs. It waits for exactly one job; seccomp is installed
/// with the job, before any of the job's bytes run. After the job (or when recycled) it is destroyed.
///
/// What it shares with a cold job comes from Jail: the plan (`SandboxPlan`), the channels (`JobChannels`),
/// setup errors (`JobSetup`) and everything from the started program to the outcome (`StartedJob`).
final class WarmSandbox: @unchecked Sendable {
    let shape: WarmShape
    /// When the zygote forked it (monotonic ns).
    let created = Syscall.monotonicNanoseconds()
    let cgroup: JobCgroup
    private let slot: IdentitySlot
    private let child: JobChild
    private let channels: JobChannels
    private let notifies: Bool
    private var isReady = false
    private var finished = false

    private init(shape: WarmShape, cgroup: JobCgroup, slot: consuming IdentitySlot, child: JobChild,
                 channels: JobChannels, notifies: Bool) {
        self.shape = shape
        self.cgroup = cgroup
        self.slot = slot
        self.child = child
        self.channels = channels
        self.notifies = notifies
    }

    /// Fork a sandbox for jobs of `shape` (`template` gives its limits, hostname and seccomp filter). (A factory
    /// rather than a throwing initialiser: nothing of the object exists until everything that can fail has.)
    static func fork(zygote: Zygote, shape: WarmShape, template: JobSpec, host: SandboxHost) throws(JailError)
        -> WarmSandbox {
        let slot = try host.takeSlot()
        let cgroup = try host.cgroups.create(name: host.configuration.cgroupName(slot: slot.number),
                                             limits: template.limits)
        do throws(JailError) {
            let plan = SandboxPlan(job: template, files: [], uidMap: slot.idMap, gidMap: slot.idMap, rootDirectory: host.rootMountPoint,
                                   capLastCap: host.capLastCap, seccompNotify: host.notifiesBlockedSyscalls)
            // The job's stdin arrives with the job; until then the program reads /dev/null.
            let stdinPlaceholder = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard stdinPlaceholder >= 0 else { throw .system("open /dev/null") }
            defer { close(stdinPlaceholder) }
            let channels = try JobChannels(seccomp: true, workdir: true, handover: true)
            defer { channels.closeChildEnds() }
            do throws(JailError) {
                let cgroupFDs = (cgroup.cloneIntoFD.map { [$0] } ?? []) + cgroup.joinFDs
                let message = ZygoteWire.spawnMessage(plan, joinFDCount: cgroup.joinFDs.count,
                                                      hasCgroupDirectory: cgroup.cloneIntoFD != nil)
                let child = try zygote.spawn(message, fds: [stdinPlaceholder] + channels.childEnds + cgroupFDs)
                return WarmSandbox(shape: shape, cgroup: cgroup, slot: slot, child: child, channels: channels,
                                   notifies: host.notifiesBlockedSyscalls)
            } catch {
                channels.closeHostEnds()
                throw error
            }
        } catch {
            try? cgroup.destroy()
            throw error
        }
    }

    deinit {
        if !finished { discard() }
        for fd in child.fds { close(fd) }
        channels.closeHostEnds()
    }

    private var handoverFD: Int32 { channels.handover!.host }

    /// Wait until the sandbox is isolated and waiting (its 'R'), or throw the setup error it reported.
    func awaitReady(timeoutMs: Int32 = JobSetup.timeoutMs) throws(JailError) {
        guard !isReady else { return }
        var entries = [pollfd(fd: handoverFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.errorFD, events: Int16(POLLIN), revents: 0)]
        let ready = Syscall.poll(&entries, timeoutMs: timeoutMs)
        var byte: UInt8 = 0
        if ready > 0, entries[0].revents & Int16(POLLIN) != 0, recv(handoverFD, &byte, 1, Int32(MSG_DONTWAIT)) == 1,
           byte == UInt8(ascii: "R") {
            isReady = true
            return
        }
        let failure: JobSetup.State = ready > 0 ? JobSetup.awaitStart(child.errorFD) : .timedOut
        if case .started = failure {
            throw JailError(.setupFailed, stage: "warm sandbox", message: "the warm sandbox ended before it was ready")
        }
        throw JobSetup.error(failure, plan: nil)
    }

    /// Whether the sandbox is still waiting (it may have been killed from outside).
    var isAlive: Bool { child.isRunning }

    /// Hand over `job` and run it to the end; the sandbox is destroyed afterwards.
    func run(_ job: JobSpec, cancellation: CancellationSignal?, output: OutputHandler?) throws(JailError)
        -> JailOutcome {
        defer { finished = true }
        do throws(JailError) {
            try awaitReady()
            // A job that reached a warm sandbox has a script (`WarmShape`).
            let jobFD = try Syscall.memfd("bexy-job", bytes: ZygoteWire.job(
                script: job.command.script ?? "", arguments: job.command.scriptArguments, files: job.files))
            defer { close(jobFD) }
            let stdinFD = try job.stdin.descriptorForJob()
            defer { close(stdinFD) }
            // The wall clock starts at the handover.
            let started = Syscall.monotonicNanoseconds()
            var tag = UInt8(ascii: "J")
            let fds = [jobFD, stdinFD]
            let sent = bj_send_message(handoverFD, &tag, 1, fds, 2)
            guard sent == 0 else { throw JailError.system("hand the job over", errno: -sent) }
            let setup = JobSetup.awaitStart(child.errorFD)
            guard case .started = setup else { throw JobSetup.error(setup, plan: nil) }
            let startedJob = StartedJob(job: job, kind: .warm, child: child, channels: channels, cgroup: cgroup,
                                        hostUid: slot.hostJobId, started: started)
            return try startedJob.run(notifies: notifies, cancellation: cancellation, output: output,
                                      afterExit: awaitReaped)
        } catch {
            discard()
            throw error
        }
    }

    /// Kill the sandbox (it never ran a job, or its job failed to start), wait for it and remove its cgroup.
    func discard() {
        finished = true
        child.kill()
        _ = cgroup.kill()
        awaitReaped()
        try? cgroup.destroy()
    }

    /// Wait until the zygote has reaped the init (the pid is gone, not a zombie), up to 5 s: the identity slot
    /// must not be free while any process of it is left.
    private func awaitReaped() {
        _ = Syscall.poll(child.pidfd, timeoutMs: 5_000)
        var waited = 0
        while bj_pidfd_signal(child.pidfd, 0) == 0, waited < 50_000 {
            usleep(100)
            waited += 1
        }
    }
}
