import AsyncHTTPClient
import FoundationEssentials
import LogLama
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp.
func temporaryDirectory() -> String {
    var template = Array("/tmp/logship-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil)
    return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
}

/// A loopback port nothing listens on (bound, then closed).
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a live LogLama (a fresh SQLite file) on loopback `port` (0: any) for `body`, then stops it.
func withLogLama(port requested: Int = 0, _ body: @Sendable (Int) async throws -> Void) async throws {
    let store = try LogLamaStore(path: temporaryDirectory() + "/loglama.db")
    let port = Mutex<Int?>(nil)
    let app = buildLogLamaApplication(
        configuration: LogLamaConfiguration(host: "127.0.0.1", port: requested, databasePath: "", retention: .unlimited),
        store: store, onServerRunning: { bound in port.withLock { $0 = bound } })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService() }
        var bound: Int?
        for _ in 0..<500 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        try await body(try #require(bound))
        group.cancelAll()
    }
}

/// A record as `GET /api/logs` returns it (the fields these tests look at).
struct QueriedLog: Decodable, Sendable {
    var level: String
    var message: String
    var logger_name: String
    var timestamp: String
    var context: [String: String]
    var request_id: String?
    var file_path: String?
    var function: String?
    var line_number: Int?
}

private struct Listing: Decodable {
    var logs: [QueriedLog]
    var total: Int
}

/// Every log of `component` (up to 1,000) from the LogLama on `port`, and the total it reports.
func queryLogs(port: Int, component: String) async throws -> (logs: [QueriedLog], total: Int) {
    let request = HTTPClientRequest(
        url: "http://127.0.0.1:\(port)/api/logs?component=\(component)&page_size=1000&sort_by=id&sort_direction=asc")
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 64 << 20)
    #expect(response.status.code == 200, "\(String(buffer: body))")
    let listing = try JSONDecoder().decode(Listing.self, from: Data(body.readableBytesView))
    return (listing.logs, listing.total)
}
