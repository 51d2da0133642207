#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// A job whose program has started, on either path, up to its outcome: receive the seccomp listener and the
/// workdir fd it sends, supervise it to the end, read the exit report, copy the artifacts out, read and remove
/// the cgroup. The cold `Sandbox` and JailWarm's `WarmSandbox` differ only in how they got here.
package struct StartedJob {
    package let job: JobSpec
    package let kind: SandboxKind
    package let child: JobChild
    package let channels: JobChannels
    package let cgroup: JobCgroup
    /// The host uid the job's user runs as.
    package let hostUid: UInt32
    /// When the program started (monotonic ns): the wall clock's zero.
    package let started: UInt64

    package init(job: JobSpec, kind: SandboxKind, child: JobChild, channels: JobChannels, cgroup: JobCgroup,
                 hostUid: UInt32, started: UInt64) {
        self.job = job
        self.kind = kind
        self.child = child
        self.channels = channels
        self.cgroup = cgroup
        self.hostUid = hostUid
        self.started = started
    }

    /// Receive the seccomp listener (when `notifies`) and the workdir fd (when the job asks for artifacts),
    /// supervise the job until it ends, `afterExit` (the cold path reaps its init; the warm path waits for
    /// bexy-zygote to), and collect the outcome; the cgroup is removed either way. If an fd cannot be received
    /// the job is killed, `afterExit` runs and the error is thrown. The received fds are closed before returning.
    package func run(notifies: Bool, cancellation: CancellationSignal?, output: OutputHandler?,
                     afterExit: () -> Void) throws(JailError) -> JailOutcome {
        let listenerFD: Int32, workdirFD: Int32
        do throws(JailError) {
            listenerFD = try receive(from: notifies ? channels.seccomp?.host : nil, stage: "receive seccomp listener")
            do throws(JailError) {
                workdirFD = try receive(from: job.artifacts != nil ? channels.workdir?.host : nil,
                                        stage: "receive the workdir fd")
            } catch {
                if listenerFD >= 0 { close(listenerFD) }
                throw error
            }
        } catch {
            child.kill()
            afterExit()
            try? cgroup.destroy()
            throw error
        }
        defer { for fd in [listenerFD, workdirFD] where fd >= 0 { close(fd) } }
        return try supervise(listenerFD: listenerFD, workdirFD: workdirFD, cancellation: cancellation,
                             output: output, afterExit: afterExit)
    }

    /// One fd sent by the job over `socket`; -1 when not asked for.
    private func receive(from socket: Int32?, stage: String) throws(JailError) -> Int32 {
        guard let socket else { return -1 }
        let fd = bj_receive_fd(socket)
        guard fd >= 0 else { throw .system(stage, errno: -fd) }
        return fd
    }

    private func supervise(listenerFD: Int32, workdirFD: Int32, cancellation: CancellationSignal?,
                           output: OutputHandler?, afterExit: () -> Void) throws(JailError) -> JailOutcome {
        let cgroup = self.cgroup
        var supervisor = Supervisor(pidfd: child.pidfd, stdoutFD: channels.stdout.host,
                                    stderrFD: channels.stderr.host, listenerFD: listenerFD,
                                    cancelFD: cancellation?.readFD ?? -1, limits: job.limits, started: started,
                                    output: output, killCgroup: { _ = cgroup.kill() })
        supervisor.run()
        afterExit()
        let ended = Syscall.monotonicNanoseconds()
        let report = Self.readExitReport(child.statusFD)

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

    private static func readExitReport(_ fd: Int32) -> bj_exit_report? {
        Syscall.setNonBlocking(fd)
        var report = bj_exit_report()
        let n = withUnsafeMutableBytes(of: &report) { Syscall.read(fd, into: $0) }
        return n == MemoryLayout<bj_exit_report>.size ? report : nil
    }
}
