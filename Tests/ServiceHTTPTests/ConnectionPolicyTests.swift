import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The connection policy every service runs with, tried over real loopback connections: refused heads get the
/// error envelope, a head that never completes is cut off, a slow response is not.
@Suite struct ConnectionPolicyTests {
    /// A server with `policy`, a route that answers at once and one that takes `slowSeconds`.
    private func withServer(_ policy: ServiceConnectionPolicy, slowSeconds: Int = 0,
                            _ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.get("fast") { _, _ in "fast" }
        router.get("slow") { _, _ in
            try await Task.sleep(for: .seconds(slowSeconds))
            return "slow"
        }
        let app = Application(router: router, server: policy.server,
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    private func head(headers: [String]) -> [UInt8] {
        Array(("GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
    }

    @Test func aHeaderOverTheLimitGetsTheErrorEnvelope() async throws {
        try await withServer(ServiceConnectionPolicy()) { port in
            let answer = await rawHTTPExchange(port: port, head(headers: ["X-Big: " + String(repeating: "a", count: 1 << 20)]))
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"invalid_request""#), "\(answer.prefix(400))")
            #expect(answer.contains("larger than the server accepts"), "\(answer.prefix(400))")
            #expect(answer.lowercased().contains("content-type: application/json"))
        }
    }

    @Test func tooManyHeaderFieldsGetTheErrorEnvelope() async throws {
        try await withServer(ServiceConnectionPolicy()) { port in
            let answer = await rawHTTPExchange(port: port, head(headers: (0..<1000).map { "X-H\($0): v" }))
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains(#""status":"error""#), "\(answer.prefix(400))")
            #expect(answer.contains(#""request_id":"#), "\(answer.prefix(400))")
        }
    }

    @Test func aRequestWithinTheLimitsIsServedAsBefore() async throws {
        try await withServer(ServiceConnectionPolicy()) { port in
            let answer = await rawHTTPExchange(port: port, head(headers: (0..<100).map { "X-H\($0): v" } + ["Connection: close"]))
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(answer.hasSuffix("fast"))
        }
    }

    @Test func aHeadThatNeverCompletesIsCutOffAtTheIdleTimeout() async throws {
        try await withServer(ServiceConnectionPolicy(idleTimeout: .seconds(1))) { port in
            // A slowloris client: a partial head, one more byte every 300 ms, never the blank line.
            let closedAfter = await secondsUntilServerCloses(port: port, sending: Array("GET /fast HTTP/1.1\r\nHost: x\r\nX-A: ".utf8),
                                                             trickle: 300, giveUpAfter: 8)
            let seconds = try #require(closedAfter, "the server kept a never-completed head open for 8 s")
            #expect(seconds >= 0.9)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedToo() async throws {
        try await withServer(ServiceConnectionPolicy(idleTimeout: .seconds(1))) { port in
            let closedAfter = await secondsUntilServerCloses(port: port, sending: head(headers: []), trickle: nil,
                                                             giveUpAfter: 8)
            #expect(closedAfter != nil, "an idle keep-alive connection stayed open for 8 s")
        }
    }

    @Test func aResponseSlowerThanTheIdleTimeoutIsNotCut() async throws {
        try await withServer(ServiceConnectionPolicy(idleTimeout: .seconds(1)), slowSeconds: 2) { port in
            let answer = await rawHTTPExchange(
                port: port, Array("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(answer.hasSuffix("slow"))
        }
    }
}

/// Connects to `port`, sends `bytes`, then (if `trickle` is set) one more header byte every `trickle` ms, and
/// returns how many seconds passed until the server closed the connection, or nil if it was still open after
/// `giveUpAfter` seconds. The blocking calls run on a thread of their own (see `rawHTTPExchange`).
private func secondsUntilServerCloses(port: Int, sending bytes: [UInt8], trickle: Int32?, giveUpAfter: Double) async -> Double? {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(returning: blockingSecondsUntilClose(port: port, bytes, trickle: trickle, giveUpAfter: giveUpAfter))
        }
    }
}

private func blockingSecondsUntilClose(port: Int, _ bytes: [UInt8], trickle: Int32?, giveUpAfter: Double) -> Double? {
    guard let fd = loopbackConnection(port: port) else { return nil }
    defer { close(fd) }
    let start = Date()
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while Date().timeIntervalSince(start) < giveUpAfter {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, trickle ?? 500) > 0 {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return Date().timeIntervalSince(start) }
            continue  // a response (the keep-alive case): keep waiting for the close
        }
        if trickle != nil, send(fd, "a", 1, Int32(MSG_NOSIGNAL)) < 0 { return Date().timeIntervalSince(start) }
    }
    return nil
}
