import Bexy
import ServiceLifecycle

/// The `ExecutionScheduler` run as a service of the server's `ServiceGroup`: it drains when graceful
/// shutdown begins (a signal), and with no grace when its task is cancelled.
struct SchedulerService: Service {
    let scheduler: ExecutionScheduler

    func run() async throws {
        try await scheduler.run(untilShutdown: { try? await gracefulShutdown() })
    }
}
