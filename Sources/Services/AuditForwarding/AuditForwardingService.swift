import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// Runs an `AuditForwarder` for as long as a server lives (a `ServiceLifecycle` service): the spool is drained
/// to LogLama every `interval`, with backoff while LogLama is down; at graceful shutdown one last drain is tried
/// so records of the final jobs leave before the process does (what cannot be sent stays in the spool).
public struct AuditForwardingService: Service {
    private let forwarder: AuditForwarder
    private let interval: Duration
    private let logger: Logger

    public init(forwarder: AuditForwarder, interval: Duration = .seconds(1), logger: Logger) {
        self.forwarder = forwarder
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // A refused connection fails at once (not retried until the timeout): LogLama down must not hold a
        // stopping server for the whole request timeout in the last drain.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let logger = logger
        await cancelWhenGracefulShutdown {
            await forwarder.run(client: client, interval: interval) { error in
                logger.warning("audit records wait in the spool: LogLama refused or is down",
                               metadata: ["error": "\(error)"])
            }
        }
        do {
            _ = try await forwarder.forwardPending(client: client)
        } catch {
            logger.warning("audit records left in the spool at shutdown", metadata: ["error": "\(error)"])
        }
        try await client.shutdown()
    }
}
