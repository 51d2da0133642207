#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A TCP socket bound to 127.0.0.1 on a free port, listening if asked; closed by `close()`.
public struct LoopbackSocket: ~Copyable {
    public let fd: Int32
    public let port: Int

    /// Bind 127.0.0.1:0 and read back the port the kernel chose.
    public init(listening: Bool) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket failed")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = fd
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        if listening { precondition(listen(fd, 8) == 0, "listen failed") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { Glibc.close(fd) }
}

/// A loopback port nothing listens on (bound, then closed): free for a server the test starts on it.
public func closedPort() -> Int {
    LoopbackSocket(listening: false).port
}

/// The address of a service that is down: a loopback port bound but never listening, and kept bound for the rest of
/// the test process, so connections to it are refused and no other test's server can be given it (a port closed at
/// once could be, when tests run in parallel: seen in CI as a 401 from another test's server).
public func refusedPort() -> Int {
    let socket = LoopbackSocket(listening: false)
    let port = socket.port
    reservedPorts.withLock { $0.append(dup(socket.fd)) }
    return port
}

/// The descriptors holding `refusedPort()`'s ports.
private let reservedPorts = Mutex<[Int32]>([])
