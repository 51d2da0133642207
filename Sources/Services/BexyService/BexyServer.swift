import Bexy
import Hummingbird
import Logging
import ServiceHTTP
import ServiceLifecycle
import UnixSignals

/// The BEXY HTTP service: the routes (`POST /execute`, `POST /analyze`, `GET /health`, `GET /profiles`, the jobs
/// API and the internal `/workspace/*`) over a
/// `JobRunner` (the `Engine`), and the `ExecutionScheduler` whose worker threads run the jobs, run together by `run()`.
public struct BexyServer: Sendable {
    /// Runs the jobs; its `load` is what `/health` reports.
    public let scheduler: ExecutionScheduler
    private let runner: any JobRunner
    private let application: any Service
    private let handoff: HandoffListener?
    private let logger: Logger

    /// The service's name in logs and `/health`.
    public static let name = "bexy"

    /// - Parameters:
    ///   - configuration: where to listen, the scheduler's size, the internal token and the input caps.
    ///   - runner: runs and audits the jobs (its profiles are the ones `/profiles` lists): the `Engine`, or a
    ///     test's scripted runner.
    ///   - logger: the server's logger; by default one labelled `bexy`.
    ///   - handoffSocket: where to take `bexy exec` jobs from CLIs with `settings` (`HandoffFrame`); nil: nowhere.
    ///   - onServerRunning: called once the server listens, with the port it is bound to.
    public init(configuration: BexyServiceConfiguration, runner: any JobRunner, logger: Logger? = nil,
                handoffSocket: (path: String, settings: HandoffSettings)? = nil,
                onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) {
        let logger = logger ?? Logger(label: Self.name)
        let metrics = BexyMetrics()
        self.runner = runner
        self.logger = logger
        let scheduler = ExecutionScheduler(runner: runner, slots: configuration.slots,
                                           queueCapacity: configuration.queueCapacity, grace: configuration.grace,
                                           logger: logger, metrics: metrics)
        self.scheduler = scheduler
        handoff = handoffSocket.map {
            HandoffListener(configuration: .init(socketPath: $0.path, settings: $0.settings), runner: runner,
                            scheduler: scheduler, logger: logger)
        }
        let router = Router(context: BexyRequestContext.self)
        // Middleware first: only routes registered after it are wrapped. The request id wraps the error mapping,
        // and both wrap the token check, so a 401 carries the envelope and the header too.
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
        let executeRoute = ExecuteRoute(runner: runner, scheduler: scheduler, limits: configuration.limits)
        executeRoute.register(on: router)
        AnalyzeRoute(execute: executeRoute).register(on: router)
        let jobsRoute = JobsRoute(execute: executeRoute, store: JobStore(retention: configuration.jobRetention))
        jobsRoute.register(on: router)
        WorkspaceRoute(execute: executeRoute, jobs: jobsRoute).register(on: router)
        HealthRoute(runner: runner, scheduler: scheduler).register(on: router)
        ProfilesRoute(profiles: runner.profiles).register(on: router)
        MetricsRoute(metrics: metrics, scheduler: scheduler, runner: runner).register(on: router)
        application = Application(
            router: router,
            server: configuration.connections.server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: Self.name),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Clear what a killed predecessor left (see `Sandbox.sweepStaleJobs`), then serve, with `companions` (such as
    /// the audit forwarder) running beside it, until a signal in `gracefulShutdownSignals` or cancellation.
    ///
    /// On a signal the scheduler drains first (new jobs get 503, queued ones are withdrawn, running ones get the
    /// grace period, then are cancelled), then the HTTP server stops; when `run` returns no sandbox is left.
    public func run(companions: [any Service] = [],
                    gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        runner.prewarm()
        if let sweep = runner.sweepStaleJobs() {
            if !sweep.removedCgroups.isEmpty {
                logger.notice("removed the cgroups of jobs a killed bexy left behind",
                              metadata: ["cgroups": "\(sweep.removedCgroups)"])
            }
            for failure in sweep.failures {
                logger.error("cannot remove a stale job", metadata: ["error": "\(failure)"])
            }
        }
        // Graceful shutdown runs in reverse order: the hand-off socket closes, the scheduler drains before the server
        // stops listening, and the companions stop last (the forwarder still sends the final jobs' audit records).
        let services: [any Service] = companions + [application, SchedulerService(scheduler: scheduler)]
            + (handoff.map { [$0] } ?? [])
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        try await group.run()
    }
}
