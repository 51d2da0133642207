import BexyAudit
import Contracts
import Jail
import JailWarm

/// What the `ExecutionScheduler` and the BEXY service need from whatever runs their jobs: check a request, run a
/// checked one (cancellable, its output streamed) and audit it, and say whether and how jobs can run.
///
/// `Engine` is the real runner (a sandbox per job); tests put a scripted runner under the service instead, so
/// that queueing, cancellation, the jobs API and shutdown are tested without root or sandboxes.
public protocol JobRunner: Sendable {
    /// The profiles jobs may run under (`GET /profiles` lists them).
    var profiles: ProfileStore { get }

    /// Check `request` without running it.
    ///
    /// - Throws: `RequestRefusal` naming the request field at fault (as the front door names it).
    func prepare(_ request: ExecutionRequest) throws(RequestRefusal) -> PreparedExecution

    /// Run a checked request (called on a scheduler worker thread): write its audit record ahead (`started`,
    /// durable before the job runs), run it, and complete the record (same id, `prepared.id`) before returning.
    ///
    /// - Parameters:
    ///   - cancellation: when it fires, the job is stopped and its result (and record) say `cancelled`.
    ///   - output: sees the job's output chunk by chunk as it is produced (on this thread).
    /// - Throws: `AuditSpoolError` if the audit record cannot be made durable; everything else is in the result.
    func execute(_ prepared: PreparedExecution, cancellation: CancellationSignal?,
                 output: OutputHandler?) throws(AuditSpoolError) -> ExecutionResult

    /// Audit a checked request that was cancelled before it ran, and return its `cancelled` result.
    ///
    /// - Throws: `AuditSpoolError` if the audit record cannot be made durable.
    func cancelledBeforeStart(_ prepared: PreparedExecution) throws(AuditSpoolError) -> ExecutionResult

    /// Nil when jobs can run, else the reason they cannot (`/health` and `POST /execute` report it).
    var unavailableReason: JailError? { get }

    /// The warm pool's counters for `/metrics`; nil when every job runs cold.
    var warmPoolStatistics: WarmPoolStatistics? { get }

    /// Get ready before the first job (the engine fills its warm pool).
    func prewarm()

    /// Clear what the jobs of a killed predecessor left behind; nil when there is nothing to sweep on this host.
    func sweepStaleJobs() -> StaleJobSweep?
}

extension Engine: JobRunner {}
