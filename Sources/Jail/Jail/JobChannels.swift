#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// The pipes and sockets between the host and one job, both ends of each: the program's stdout and stderr
/// pipes, the socket its seccomp listener comes back on, the one its working directory comes back on (for
/// artifacts), and (warm) the handover socket. The host keeps the `host` ends; the `child` ends go to bj_spawn,
/// here or through bexy-zygote, and are closed once it has them. Both paths make them here.
package struct JobChannels: Sendable {
    package let stdout: (host: Int32, child: Int32)
    package let stderr: (host: Int32, child: Int32)
    /// Only when blocked system calls are reported (seccomp user notification).
    package let seccomp: (host: Int32, child: Int32)?
    /// Only when the job may return artifacts.
    package let workdir: (host: Int32, child: Int32)?
    /// Only for a warm sandbox (SOCK_SEQPACKET).
    package let handover: (host: Int32, child: Int32)?

    /// Make the channels asked for; on failure nothing is left open.
    package init(seccomp: Bool, workdir: Bool, handover: Bool) throws(JailError) {
        var made: [Int32] = []
        do throws(JailError) {
            let stdout = try Syscall.pipe("stdout pipe")
            made += [stdout.read, stdout.write]
            let stderr = try Syscall.pipe("stderr pipe")
            made += [stderr.read, stderr.write]
            var handoverPair: (Int32, Int32)?
            if handover {
                var pair: [Int32] = [-1, -1]
                let rc = bj_seqpacket_pair(&pair)
                guard rc == 0 else { throw .system("handover socketpair", errno: -rc) }
                made += pair
                handoverPair = (pair[0], pair[1])
            }
            let workdirPair = workdir ? try Syscall.socketPair("workdir socketpair") : nil
            if let workdirPair { made += [workdirPair.0, workdirPair.1] }
            let seccompPair = seccomp ? try Syscall.socketPair("seccomp socketpair") : nil
            if let seccompPair { made += [seccompPair.0, seccompPair.1] }
            self.stdout = (stdout.read, stdout.write)
            self.stderr = (stderr.read, stderr.write)
            self.handover = handoverPair
            self.workdir = workdirPair
            self.seccomp = seccompPair
        } catch {
            for fd in made { close(fd) }
            throw error
        }
    }

    /// The child ends, in the order of the zygote wire (stdout, stderr, handover, workdir, seccomp; absent ones
    /// left out).
    package var childEnds: [Int32] {
        [stdout.child, stderr.child] + [handover, workdir, seccomp].compactMap { $0?.child }
    }

    /// The host ends, in the same order.
    package var hostEnds: [Int32] {
        [stdout.host, stderr.host] + [handover, workdir, seccomp].compactMap { $0?.host }
    }

    /// Close the child ends: once bj_spawn (or bexy-zygote) has them, or when the spawn did not happen.
    package func closeChildEnds() { for fd in childEnds { close(fd) } }

    /// Close the host ends: once the job has ended (the cold path) or its sandbox is released (the warm path).
    package func closeHostEnds() { for fd in hostEnds { close(fd) } }
}

/// What the host holds of a job's init once bj_spawn made it (here for a cold job, in bexy-zygote for a warm one).
package struct JobChild: Sendable {
    /// Host pid of the init.
    package var pid: pid_t
    package var pidfd: Int32
    /// Read end: a `bj_child_error` if setup failed, EOF once the program started.
    package var errorFD: Int32
    /// Read end: a `bj_exit_report` once the program ended.
    package var statusFD: Int32
    /// Write end of the sync pipe: open until the job has ended (the init dies with it).
    package var lifelineFD: Int32

    package init(pid: pid_t, pidfd: Int32, errorFD: Int32, statusFD: Int32, lifelineFD: Int32) {
        self.pid = pid
        self.pidfd = pidfd
        self.errorFD = errorFD
        self.statusFD = statusFD
        self.lifelineFD = lifelineFD
    }

    init(_ child: bj_child) {
        self.init(pid: child.pid, pidfd: child.pidfd, errorFD: child.error_fd, statusFD: child.status_fd,
                  lifelineFD: child.lifeline_fd)
    }

    package var fds: [Int32] { [pidfd, errorFD, statusFD, lifelineFD] }

    /// SIGKILL the init through its pidfd (no pid reuse race): every process of the job dies with it.
    package func kill() { _ = bj_pidfd_signal(pidfd, SIGKILL) }

    /// Whether the init is still there (its pidfd is not readable yet).
    package var isRunning: Bool { Syscall.poll(pidfd, timeoutMs: 0) == 0 }
}
