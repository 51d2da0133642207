import BexyAudit
import Contracts
import Jail
import Synchronization

/// How a scheduled execution ended, as its submitter sees it.
public enum ExecutionOutcome: Sendable {
    /// The job ran (or its sandbox failed to set up) and was audited; the result says how it went, including
    /// `cancelled` when it was stopped while running.
    case finished(ExecutionResult)
    /// The job's audit record could not be made durable: written ahead, so the job did not run; or at the end,
    /// so its result is withheld.
    case auditFailed(AuditSpoolError)
    /// The job never started: nothing ran and nothing was audited.
    case notStarted(NotStartedReason)

    /// Why a job left the queue without running.
    public enum NotStartedReason: Sendable {
        /// It was cancelled while waiting for a slot.
        case cancelled
        /// The server began shutting down while it waited.
        case shuttingDown
    }
}

/// One execution accepted by the `ExecutionScheduler`: wait for its outcome, or cancel it.
///
/// Cancelling a queued execution takes it out of the queue; cancelling a running one kills its sandbox (its
/// result and audit record then say `cancelled`); cancelling a finished one does nothing.
public final class ScheduledExecution: Sendable {
    /// The checked request.
    public let prepared: PreparedExecution
    /// Fires the kill of the running sandbox.
    let cancellation: CancellationSignal
    /// Told of the start, the output and the end.
    let observer: (any ExecutionObserver)?
    private let scheduler: ExecutionScheduler
    private let completion = Mutex(Completion())

    private struct Completion {
        var outcome: ExecutionOutcome?
        var waiters: [CheckedContinuation<ExecutionOutcome, Never>] = []
    }

    init(prepared: PreparedExecution, cancellation: CancellationSignal, observer: (any ExecutionObserver)?,
         scheduler: ExecutionScheduler) {
        self.prepared = prepared
        self.cancellation = cancellation
        self.observer = observer
        self.scheduler = scheduler
    }

    /// Stop the execution, wherever it is.
    public func cancel() {
        if scheduler.withdraw(self) {
            finish(.notStarted(.cancelled))
        } else {
            cancellation.cancel()
        }
    }

    /// Wait for the outcome (returns at once when it is known).
    public func outcome() async -> ExecutionOutcome {
        await withCheckedContinuation { continuation in
            let known = completion.withLock { completion in
                if completion.outcome == nil { completion.waiters.append(continuation) }
                return completion.outcome
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Record the outcome, tell the observer and wake every waiter; only the first call counts.
    func finish(_ outcome: ExecutionOutcome) {
        let waiters = completion.withLock { completion in
            guard completion.outcome == nil else { return [CheckedContinuation<ExecutionOutcome, Never>]?.none }
            completion.outcome = outcome
            defer { completion.waiters = [] }
            return completion.waiters
        }
        guard let waiters else { return }
        observer?.finished(outcome)
        for waiter in waiters { waiter.resume(returning: outcome) }
    }
}
