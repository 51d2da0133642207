#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Thin wrappers around the system calls the parent side uses, each wrapped once: EINTR is retried and a
/// failure becomes a `JailError` naming the stage. (`package`: the warm path, JailWarm, uses them too.)
package enum Syscall {
    /// pipe2(2) with O_CLOEXEC; returns (read end, write end).
    package static func pipe(_ stage: String) throws(JailError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let rc = bj_pipe_cloexec(&fds)
        guard rc == 0 else { throw .system(stage, errno: -rc) }
        return (fds[0], fds[1])
    }

    /// socketpair(2) AF_UNIX SOCK_STREAM with SOCK_CLOEXEC.
    package static func socketPair(_ stage: String) throws(JailError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw .system(stage)
        }
        return (fds[0], fds[1])
    }

    /// memfd_create(2) holding `bytes`, rewound, for a job's stdin (no host path, nothing to leak).
    package static func memfd(_ name: String, bytes: [UInt8]) throws(JailError) -> Int32 {
        let fd = bj_memfd(name)
        guard fd >= 0 else { throw .system("memfd_create stdin", errno: -fd) }
        do throws(JailError) {
            try writeAll(fd, bytes, stage: "write stdin")
        } catch {
            close(fd)
            throw error
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            let saved = errno
            close(fd)
            throw .system("lseek stdin", errno: saved)
        }
        return fd
    }

    /// write(2) until every byte is written.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], stage: String) throws(JailError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(stage)
            }
            offset += n
        }
    }

    /// read(2) once, EINTR retried; returns the count (0 at EOF) or -errno.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? -Int(errno) : n
        }
    }

    /// poll(2) until an fd is ready or `timeoutMs` passed (-1: no timeout), EINTR retried with the same
    /// timeout; returns the count of ready fds (0 on timeout) or -1 with errno.
    package static func poll(_ fds: inout [pollfd], timeoutMs: Int32) -> Int32 {
        var ready: Int32
        repeat { ready = Glibc.poll(&fds, nfds_t(fds.count), timeoutMs) } while ready < 0 && errno == EINTR
        return ready
    }

    /// poll(2) one fd for `events` (see `poll(_:timeoutMs:)`); its revents, 0 on timeout, or nil on failure.
    package static func poll(_ fd: Int32, events: Int16 = Int16(POLLIN), timeoutMs: Int32) -> Int16? {
        var entries = [pollfd(fd: fd, events: events, revents: 0)]
        let ready = poll(&entries, timeoutMs: timeoutMs)
        return ready < 0 ? nil : entries[0].revents
    }

    /// waitpid(2) for `pid`, EINTR retried; its wait status, or nil on failure.
    @discardableResult
    package static func waitpid(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while Glibc.waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return status
    }

    /// Set O_NONBLOCK on `fd`.
    package static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// clock_gettime(CLOCK_MONOTONIC) in nanoseconds.
    package static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// read(2) from the current offset to EOF.
    package static func readAll(_ fd: Int32, stage: String) throws(JailError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, into: $0) }
            if n == 0 { return bytes }
            if n < 0 { throw .system(stage, errno: Int32(-n)) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Read a small text file whole (procfs, sysfs); nil if it cannot be read.
    package static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let bytes = try? readAll(fd, stage: path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
