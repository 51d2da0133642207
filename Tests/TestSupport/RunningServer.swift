import Synchronization

/// Runs a server in this process for `body`: `make` builds it with the callback that receives the port it bound
/// and returns its run function; the server is cancelled when `body` returns. Fails if it does not listen within
/// five seconds.
public func withRunningServer(
    _ make: (@escaping @Sendable (Int) async -> Void) -> @Sendable () async throws -> Void,
    _ body: (Int) async throws -> Void
) async throws {
    let port = Mutex<Int?>(nil)
    let run = make { bound in port.withLock { $0 = bound } }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await run() }
        var bound: Int?
        for _ in 0..<500 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ListeningProcess.Failed(description: "the server did not listen within 5 s") }
        try await body(bound)
        group.cancelAll()
    }
}
