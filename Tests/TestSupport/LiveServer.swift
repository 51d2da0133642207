import Hummingbird
import Logging
import Synchronization
import Testing

/// Runs `app` (built by `make` with the callback that receives the bound port) until `body` returns, then
/// cancels it. Fails if the server does not listen within five seconds.
public func withLiveServer<App: ApplicationProtocol>(
    _ make: (@escaping @Sendable (Int) async -> Void) async throws -> App,
    _ body: (Int) async throws -> Void
) async throws {
    let port = Mutex<Int?>(nil)
    let app = try await make { bound in port.withLock { $0 = bound } }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService() }
        var bound: Int?
        for _ in 0..<500 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        try await body(try #require(bound, "the server did not start listening"))
        group.cancelAll()
    }
}

/// Runs a plain Hummingbird server with `router` on a loopback port for `body`.
public func withHTTPServer(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
    try await withLiveServer({ onRunning in
        Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                    logger: quietLogger("upstream"))
    }, body)
}

/// A logger that keeps critical messages only: the errors the tests provoke on purpose (a refused upstream, the
/// cancelled connections when each test stops its servers) stay out of the test output.
public func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

/// Fails with `DeadlineExceeded` if `body` has not finished within `seconds`: a guard against a hang, not a
/// measurement (the assertions are about what arrives, never about how long it took).
public func withDeadline<T: Sendable>(seconds: Int = 30, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded(seconds: seconds)
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var seconds: Int
    public var description: String { "no result within \(seconds) s: something hangs" }
}
