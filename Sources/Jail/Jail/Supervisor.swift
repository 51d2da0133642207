#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// A capped in-memory copy of one output stream.
public struct CapturedStream: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var truncated = false
    let cap: Int

    /// Append what fits under the cap; returns how many bytes of `chunk` were kept (fewer than `chunk.count`
    /// once the cap is exceeded).
    mutating func append(_ chunk: UnsafeRawBufferPointer) -> Int {
        let room = cap - bytes.count
        if chunk.count <= room {
            bytes.append(contentsOf: chunk)
            return chunk.count
        }
        if room > 0 { bytes.append(contentsOf: chunk[0..<room]) }
        truncated = true
        return max(0, room)
    }
}

/// Watches a running job from the host: captures stdout and stderr concurrently, enforces the wall-clock
/// and output limits, reports a forbidden system call (seccomp user notification), stops the job when its
/// `CancellationSignal` fires, and notices the end. An `OutputHandler`, if given, sees each captured chunk as
/// it is read.
///
/// Every stop is a SIGKILL to the job's init through its pidfd (no pid reuse race): leaving pid 1 kills
/// every process of the job's pid namespace, daemons included. On cgroup v2 `cgroup.kill` is written too.
struct Supervisor {
    let pidfd: Int32
    let stdoutFD: Int32
    let stderrFD: Int32
    let listenerFD: Int32
    /// The read end of the job's cancellation pipe, or -1.
    let cancelFD: Int32
    let deadline: UInt64
    let killCgroup: () -> Void
    let output: OutputHandler?
    var stdout: CapturedStream
    var stderr: CapturedStream
    private(set) var enforced: JailOutcome.Enforced?
    private(set) var blockedSyscall: Int32?
    private var killed = false

    init(pidfd: Int32, stdoutFD: Int32, stderrFD: Int32, listenerFD: Int32, cancelFD: Int32, limits: ResourceLimits,
         started: UInt64, output: OutputHandler?, killCgroup: @escaping () -> Void) {
        self.pidfd = pidfd
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        self.listenerFD = listenerFD
        self.cancelFD = cancelFD
        self.deadline = started + UInt64(limits.wallTimeMs) * 1_000_000
        self.killCgroup = killCgroup
        self.output = output
        stdout = CapturedStream(cap: limits.stdoutBytes)
        stderr = CapturedStream(cap: limits.stderrBytes)
    }

    /// Kill the whole job once, recording why.
    private mutating func stop(_ reason: JailOutcome.Enforced) {
        guard !killed else { return }
        killed = true
        enforced = reason
        _ = bj_pidfd_signal(pidfd, SIGKILL)
        killCgroup()
    }

    /// Run until the init has exited and both output pipes are closed.
    mutating func run() {
        var stdoutOpen = true, stderrOpen = true, exited = false, listening = listenerFD >= 0
        Syscall.setNonBlocking(stdoutFD)
        Syscall.setNonBlocking(stderrFD)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while stdoutOpen || stderrOpen || !exited {
            var fds: [pollfd] = []
            if stdoutOpen { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrOpen { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            if !exited { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            if listening { fds.append(pollfd(fd: listenerFD, events: Int16(POLLIN), revents: 0)) }
            // Watched until the job is killed: the pipe stays readable once cancelled.
            if !killed && cancelFD >= 0 { fds.append(pollfd(fd: cancelFD, events: Int16(POLLIN), revents: 0)) }
            let now = Syscall.monotonicNanoseconds()
            var timeout: Int32 = -1
            if !killed {
                if now >= deadline {
                    stop(.wall)
                    continue
                }
                timeout = Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
            }
            // Not `Syscall.poll`: after EINTR the loop starts over and recomputes the timeout from the deadline.
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                stop(.wall)  // cannot watch the job: never leave it running unwatched
                break
            }
            for entry in fds where entry.revents != 0 {
                switch entry.fd {
                case stdoutFD: stdoutOpen = drain(stdoutFD, into: \.stdout, .stdout, buffer: buffer)
                case stderrFD: stderrOpen = drain(stderrFD, into: \.stderr, .stderr, buffer: buffer)
                case pidfd: exited = true
                case cancelFD: stop(.cancelled)
                case listenerFD:
                    if entry.revents & Int16(POLLIN) != 0 {
                        let nr = bj_seccomp_notification_syscall(listenerFD)
                        if nr >= 0 && blockedSyscall == nil {
                            blockedSyscall = nr
                            stop(.syscall)
                        }
                    }
                    if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { listening = false }
                default: break
                }
            }
        }
    }

    /// Read what is available; returns false at EOF. What is kept goes to `output` too; past the cap the job is
    /// stopped and the rest discarded.
    private mutating func drain(_ fd: Int32, into stream: WritableKeyPath<Supervisor, CapturedStream>,
                                _ name: StandardStream, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        while true {
            let n = Syscall.read(fd, into: buffer)
            if n == 0 { return false }
            if n < 0 { return n == -Int(EAGAIN) }
            let kept = self[keyPath: stream].append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if kept > 0, let output { output(name, UnsafeRawBufferPointer(rebasing: buffer[0..<kept])) }
            if kept < n { stop(.output) }
        }
    }
}
