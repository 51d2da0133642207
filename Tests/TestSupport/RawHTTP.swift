import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends `bytes` as they are to `127.0.0.1:port` and returns everything the server answers until it closes the
/// connection or `seconds` pass: for requests no HTTP client would send (a malformed chunk size, a huge header).
///
/// The blocking socket calls run on a thread of their own, never on Swift concurrency's cooperative pool: the
/// server under test usually runs in this process, and blocking a pool thread can starve it (and other tests).
public func rawHTTPExchange(port: Int, _ bytes: [UInt8], seconds: Int32 = 10) async -> String {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(returning: blockingRawHTTPExchange(port: port, bytes, seconds: seconds))
        }
    }
}

/// A blocking TCP connection to `127.0.0.1:port`, or nil; the caller closes it.
public func loopbackConnection(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    return fd
}

private func blockingRawHTTPExchange(port: Int, _ bytes: [UInt8], seconds: Int32) -> String {
    guard let fd = loopbackConnection(port: port) else { return "" }
    defer { close(fd) }
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }
        sent += n
    }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    while poll(&entry, 1, seconds * 1000) > 0 {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
}
