import LogLama
import Synchronization
import Testing

/// Runs a live LogLama over `store` (default: a fresh SQLite file) on loopback `port` (0: any free one) for
/// `body`, which gets the bound port; then stops it.
public func withLogLama(store: LogLamaStore? = nil, port requested: Int = 0,
                        _ body: @Sendable (Int) async throws -> Void) async throws {
    let store = try store ?? LogLamaStore(path: temporaryDirectory(prefix: "loglama") + "/loglama.db")
    let port = Mutex<Int?>(nil)
    let app = buildLogLamaApplication(
        configuration: LogLamaConfiguration(host: "127.0.0.1", port: requested, databasePath: "", retention: .unlimited),
        store: store, onServerRunning: { bound in port.withLock { $0 = bound } })
    let failure = StartFailure()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            do {
                try await app.runService()
            } catch {
                failure.text.withLock { $0 = "\(error)" }
                throw error
            }
        }
        var bound: Int?
        // Up to a minute (a loaded test run can starve the start), unless the server fails (a port in use).
        for _ in 0..<6000 where bound == nil && failure.text.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        try await body(try #require(bound, "LogLama did not start on port \(requested): \(failure.text.withLock { $0 } ?? "no answer")"))
        group.cancelAll()
    }
}

/// Why the server task ended before it listened.
private final class StartFailure: Sendable {
    let text = Mutex<String?>(nil)
}
