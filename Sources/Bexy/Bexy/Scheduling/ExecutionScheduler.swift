import BexyAudit
import Contracts
import Jail
import Logging

/// Why the scheduler refused an execution.
public enum SchedulerError: Error, Sendable, Equatable {
    /// Every slot is busy and the queue is full; try again in about `retryAfterSeconds`.
    case queueFull(retryAfterSeconds: Int)
    /// The server is shutting down and takes no new jobs.
    case shuttingDown
    /// The job's cancellation pipe could not be created (the process is out of file descriptors).
    case cannotTrack(JailError)
}

/// What the scheduler counts as it goes (a service exposes it, e.g. as Prometheus metrics); called on the thread
/// that did the work, so an implementation must only record and return.
public protocol SchedulerMetrics: Sendable {
    /// One execution reached an outcome after holding its slot for `held`.
    func recordExecution(_ status: ExecutionStatus, held: Duration)
    /// One submission was refused.
    func recordRejection(_ error: SchedulerError)
}

/// How busy the scheduler is, for `/health`.
public struct SchedulerLoad: Sendable, Encodable, Equatable {
    /// Sandboxes that may run at once.
    public var slots: Int
    /// Jobs running now.
    public var running: Int
    /// Jobs waiting for a slot.
    public var queued: Int
    /// How many jobs may wait.
    public var queueCapacity: Int
    /// False once shutdown has begun.
    public var accepting: Bool

    enum CodingKeys: String, CodingKey {
        case slots, running, queued, accepting
        case queueCapacity = "queue_capacity"
    }
}

/// Runs checked executions in sandboxes on a fixed set of long-lived worker threads, first come first served,
/// with a bounded queue in front of them.
///
/// `run(untilShutdown:)` starts one worker thread per slot (jobs must be spawned from threads that outlive them;
/// see `BackgroundThread`) and, once its shutdown signal returns, stops taking jobs, withdraws the queued ones,
/// lets the running ones finish for up to `grace`, cancels those still running, and returns once every worker
/// has exited, i.e. once no sandbox of this scheduler is left. Cancelling `run` is a shutdown with no grace.
public final class ExecutionScheduler: Sendable {
    /// Sandboxes that may run at once.
    public let slots: Int
    /// How many jobs may wait for a slot.
    public let queueCapacity: Int
    /// How long running jobs may finish after shutdown begins.
    public let grace: Duration
    /// Counts outcomes, slot hold times and refusals.
    private let metrics: (any SchedulerMetrics)?
    private let runner: any JobRunner
    private let logger: Logger
    private let state: ConditionLock<State>

    private struct State {
        var queue: [ScheduledExecution] = []
        var running: [ObjectIdentifier: ScheduledExecution] = [:]
        var accepting = true
        var liveWorkers = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        /// Moving average of how long a job holds its slot, for Retry-After.
        var averageJobSeconds = 1.0
    }

    /// - Parameters:
    ///   - runner: runs each job and writes its audit record (the `Engine`, or a test's scripted runner).
    ///   - slots: worker threads, hence concurrent sandboxes (at least 1).
    ///   - queueCapacity: jobs that may wait (0: refuse whenever every slot is busy).
    ///   - grace: how long running jobs may finish after shutdown begins.
    ///   - metrics: told of every outcome and refusal, if given.
    public init(runner: any JobRunner, slots: Int, queueCapacity: Int, grace: Duration, logger: Logger,
                metrics: (any SchedulerMetrics)? = nil) {
        precondition(slots >= 1 && queueCapacity >= 0, "a scheduler needs a slot and a non-negative queue")
        self.metrics = metrics
        self.runner = runner
        self.slots = slots
        self.queueCapacity = queueCapacity
        self.grace = grace
        self.logger = logger
        state = ConditionLock(State())
    }

    /// Accept `prepared` for execution; `observer`, if any, follows it from start to end.
    ///
    /// - Throws: `SchedulerError.queueFull` when all slots are busy and `queueCapacity` jobs already wait,
    ///   `.shuttingDown` once shutdown has begun.
    public func submit(_ prepared: PreparedExecution,
                       observer: (any ExecutionObserver)? = nil) throws(SchedulerError) -> ScheduledExecution {
        let cancellation: CancellationSignal
        do throws(JailError) {
            cancellation = try CancellationSignal()
        } catch {
            throw .cannotTrack(error)
        }
        let execution = ScheduledExecution(prepared: prepared, cancellation: cancellation, observer: observer,
                                           scheduler: self)
        let refusal: SchedulerError? = state.withLock { state in
            guard state.accepting else { return .shuttingDown }
            guard state.queue.count + state.running.count < slots + queueCapacity else {
                let waves = Double(state.queue.count + 1) / Double(slots)
                return .queueFull(retryAfterSeconds: min(60, max(1, Int((waves * state.averageJobSeconds).rounded(.up)))))
            }
            state.queue.append(execution)
            return nil
        }
        if let refusal {
            metrics?.recordRejection(refusal)
            throw refusal
        }
        return execution
    }

    /// Running and queued jobs, now.
    public var load: SchedulerLoad {
        state.withLock { state in
            SchedulerLoad(slots: slots, running: state.running.count, queued: state.queue.count,
                          queueCapacity: queueCapacity, accepting: state.accepting)
        }
    }

    /// Take `execution` out of the queue; false if it is not queued (running or finished).
    func withdraw(_ execution: ScheduledExecution) -> Bool {
        state.withLock { state in
            guard let index = state.queue.firstIndex(where: { $0 === execution }) else { return false }
            state.queue.remove(at: index)
            return true
        }
    }

    // MARK: Running

    /// Start the workers, run jobs until `shutdown` returns (or this task is cancelled), then drain.
    ///
    /// - Throws: `BackgroundThreadError` if a worker thread cannot be started (after draining those that were).
    public func run(untilShutdown shutdown: @Sendable () async -> Void) async throws(BackgroundThreadError) {
        for number in 0..<slots {
            state.withLock { $0.liveWorkers += 1 }
            do throws(BackgroundThreadError) {
                try BackgroundThread.startDetached(name: "bexy-worker-\(number)") { self.work() }
            } catch {
                state.withLock { $0.liveWorkers -= 1 }
                await drain()
                throw error
            }
        }
        logger.info("scheduler started", metadata: ["slots": "\(slots)", "queue": "\(queueCapacity)"])
        await shutdown()
        await drain()
    }

    /// Stop taking jobs, withdraw the queued ones, give the running ones `grace` (none if this task is
    /// cancelled), cancel what still runs, and wait for every worker to exit.
    private func drain() async {
        let (withdrawn, running) = state.withLock { state in
            state.accepting = false
            defer { state.queue = [] }
            return (state.queue, state.running.count)
        }
        for execution in withdrawn { execution.finish(.notStarted(.shuttingDown)) }
        logger.info("scheduler draining", metadata: ["running": "\(running)", "withdrawn": "\(withdrawn.count)"])
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.workersExited()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: self.grace)
                return false
            }
            if await group.next() == false {
                let running = state.withLock { Array($0.running.values) }
                if !running.isEmpty { logger.warning("grace period over: cancelling \(running.count) jobs") }
                for execution in running { execution.cancellation.cancel() }
            }
            group.cancelAll()
        }
        logger.info("scheduler stopped")
    }

    /// Returns once every worker thread has exited (at once if none was started).
    private func workersExited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.liveWorkers > 0 { state.exitWaiters.append(continuation) }
                return state.liveWorkers == 0
            }
            if done { continuation.resume() }
        }
    }

    // MARK: Worker threads

    /// One worker: take the oldest queued job, run it, deliver its outcome; exit once shutdown has begun and
    /// the queue is empty.
    private func work() {
        while let execution = next() {
            let started = ContinuousClock.now
            let outcome: ExecutionOutcome
            var output: OutputHandler?
            if let observer = execution.observer {
                observer.started()
                output = { stream, bytes in observer.output(stream, bytes) }
            }
            do throws(AuditSpoolError) {
                outcome = .finished(try runner.execute(execution.prepared, cancellation: execution.cancellation,
                                                       output: output))
            } catch {
                logger.error("audit record not durable", metadata: ["error": "\(error)"])
                outcome = .auditFailed(error)
            }
            let elapsed = ContinuousClock.now - started
            if case .finished(let result) = outcome { metrics?.recordExecution(result.status, held: elapsed) }
            state.withLock { state in
                state.running.removeValue(forKey: ObjectIdentifier(execution))
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.averageJobSeconds = 0.8 * state.averageJobSeconds + 0.2 * seconds
            }
            execution.finish(outcome)
        }
        let waiters = state.withLock { state in
            state.liveWorkers -= 1
            defer { if state.liveWorkers == 0 { state.exitWaiters = [] } }
            return state.liveWorkers == 0 ? state.exitWaiters : []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Block until there is a job (returned, now counted as running) or shutdown has emptied the queue (nil).
    private func next() -> ScheduledExecution? {
        state.withLock(when: { !$0.queue.isEmpty || !$0.accepting }) { state in
            guard !state.queue.isEmpty else { return nil }
            let execution = state.queue.removeFirst()
            state.running[ObjectIdentifier(execution)] = execution
            return execution
        }
    }
}
