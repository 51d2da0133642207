#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// AF_UNIX stream sockets on a path: how `bexy exec` hands its job to a BEXY service running on the same host,
/// passing its stdin descriptor along (SCM_RIGHTS) and learning nothing it did not ask for.
public enum LocalSocket {
    /// Who is at the other end of a connection, as the kernel recorded it at `connect` (SO_PEERCRED): not a claim
    /// the peer makes.
    public struct Peer: Sendable, Equatable {
        public var pid: Int32
        public var uid: UInt32
        public var gid: UInt32
    }

    /// A socket listening at `path`, file mode `mode` (0600: only the service's own user may connect).
    ///
    /// - Throws: `JailError` naming the path (e.g. EADDRINUSE: something already exists there).
    public static func listen(at path: String, mode: mode_t, backlog: Int32 = 64) throws(JailError) -> Int32 {
        let fd = bj_unix_listen(path, UInt32(mode), backlog)
        guard fd >= 0 else { throw .system("listen on \(path)", errno: -fd) }
        return fd
    }

    /// A connection to the socket at `path`.
    ///
    /// - Throws: `JailError` whose `errno` says why (ENOENT: nothing there; ECONNREFUSED: a socket file nobody
    ///   listens on any more).
    public static func connect(to path: String) throws(JailError) -> Int32 {
        let fd = bj_unix_connect(path)
        guard fd >= 0 else { throw .system("connect to \(path)", errno: -fd) }
        return fd
    }

    /// Accept one connection (EINTR retried); nil once `listener` is shut down or fails.
    public static func accept(_ listener: Int32) -> Int32? {
        let fd = bj_unix_accept(listener)
        return fd >= 0 ? fd : nil
    }

    /// Make reads on `fd` fail (EAGAIN) after `seconds` without data, so that a peer that stops mid-message does
    /// not hold the reading thread forever.
    public static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The kernel's record of who connected.
    public static func peer(of fd: Int32) throws(JailError) -> Peer {
        var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
        let rc = bj_peer_credentials(fd, &pid, &uid, &gid)
        guard rc == 0 else { throw .system("SO_PEERCRED", errno: -rc) }
        return Peer(pid: pid, uid: uid, gid: gid)
    }

    /// Send all of `bytes`, the descriptors `passing` attached to the first of them (SCM_RIGHTS); never SIGPIPE.
    public static func send(_ fd: Int32, _ bytes: [UInt8], passing descriptors: [Int32] = []) throws(JailError) {
        var offset = 0
        if !descriptors.isEmpty {
            let rc = bytes.withUnsafeBytes { buffer in
                descriptors.withUnsafeBufferPointer {
                    bj_send_message(fd, buffer.baseAddress, min(buffer.count, 1), $0.baseAddress, Int32($0.count))
                }
            }
            guard rc == 0 else { throw .system("send on the local socket", errno: -rc) }
            offset = min(bytes.count, 1)
        }
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .system("send on the local socket") }
            offset += n
        }
    }

    /// Read exactly `count` bytes, collecting descriptors passed with them (at most `maxDescriptors`; more, or a
    /// truncated set, fails). Nil at end of stream before the first byte.
    ///
    /// - Throws: `JailError` on a read error, or when the stream ends part-way.
    public static func receive(_ fd: Int32, count: Int,
                               descriptors: inout [Int32], maxDescriptors: Int = 0) throws(JailError) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            var fds = [Int32](repeating: -1, count: max(1, maxDescriptors))
            var received: Int32 = 0
            let n = bytes.withUnsafeMutableBytes { buffer in
                bj_receive_message(fd, buffer.baseAddress! + offset, count - offset, &fds, Int32(maxDescriptors),
                                   &received)
            }
            guard n >= 0 else { throw .system("receive on the local socket", errno: Int32(-n)) }
            descriptors += fds.prefix(Int(received))
            if n == 0 {
                if offset == 0 { return nil }
                throw JailError(.setupFailed, stage: "receive on the local socket",
                                message: "the connection ended in the middle of a message")
            }
            offset += n
        }
        return bytes
    }
}
