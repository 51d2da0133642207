import Bexy
import BexyAudit
import Contracts
import Jail
import JailWarm

#if canImport(Glibc)
import Glibc
#endif

/// A `JobRunner` that runs no program: each job follows the `ScriptedJob` its request maps to (output chunks,
/// pauses, gates, then an outcome), so that the BEXY service's scheduling, cancellation, jobs API and shutdown
/// are tested without root or sandboxes, in milliseconds.
///
/// Requests are checked by a real `Engine` (`prepare`, so a bad request is refused as in production), and every
/// job, run or cancelled before it started, gets its audit record in the given spool as with the engine (written
/// ahead as `started`, then completed).
public final class ScriptedRunner: JobRunner {
    /// Where the engine that checks requests takes its profiles from.
    public var profiles: ProfileStore { checker.profiles }
    /// What `unavailableReason` reports (nil: jobs can run).
    public let unavailableReason: JailError?
    /// Always nil: nothing runs warm.
    public var warmPoolStatistics: WarmPoolStatistics? { nil }
    private let checker: Engine
    private let spool: AuditSpool
    private let script: @Sendable (ExecutionRequest) -> ScriptedJob

    /// - Parameters:
    ///   - profiles: the profiles requests are checked against.
    ///   - spool: where every job's audit record goes.
    ///   - unavailableReason: nil, or why this "host" cannot run jobs.
    ///   - workspaces: where workspace commands' workspaces are (checked as the engine checks them).
    ///   - script: what each checked request does.
    public init(profiles: ProfileStore, spool: AuditSpool, unavailableReason: JailError? = nil,
                workspaces: WorkspaceRoot? = nil, script: @escaping @Sendable (ExecutionRequest) -> ScriptedJob) {
        checker = Engine(profiles: profiles, spool: spool, workspaces: workspaces)
        self.spool = spool
        self.unavailableReason = unavailableReason
        self.script = script
    }

    public func prepare(_ request: ExecutionRequest) throws(RequestRefusal) -> PreparedExecution {
        try checker.prepare(request)
    }

    public func cancelledBeforeStart(_ prepared: PreparedExecution) throws(AuditSpoolError) -> ExecutionResult {
        try checker.cancelledBeforeStart(prepared)
    }

    public func prewarm() {}

    public func sweepStaleJobs() -> StaleJobSweep? { nil }

    public func execute(_ prepared: PreparedExecution, cancellation: CancellationSignal?,
                        output: OutputHandler?) throws(AuditSpoolError) -> ExecutionResult {
        let job = script(prepared.request)
        let started = AuditRecord.timestamp()
        try spool.begin(Engine.auditRecord(prepared, time: started, result: nil, hostUid: 0))
        let clock = ContinuousClock(), begin = clock.now
        var printed: [StandardStream: String] = [:]
        var cancelled = false
        steps: for step in job.steps {
            switch step {
            case .output(let stream, let text):
                printed[stream, default: ""] += text
                Array(text.utf8).withUnsafeBytes { output?(stream, $0) }
            case .pause(let duration):
                let end = clock.now + duration
                cancelled = Self.block(until: { clock.now >= end }, cancellation: cancellation)
            case .wait(let gate):
                cancelled = Self.block(until: { gate.isOpen }, cancellation: cancellation)
            case .waitForCancellation:
                cancelled = Self.block(until: { false }, cancellation: cancellation)
            }
            if cancelled { break steps }
        }
        let elapsed = clock.now - begin
        let result = Self.result(of: job, prepared: prepared, cancelled: cancelled,
                                 stdout: printed[.stdout] ?? "", stderr: printed[.stderr] ?? "",
                                 wallMs: Int(elapsed.components.seconds * 1000
                                     + elapsed.components.attoseconds / 1_000_000_000_000_000))
        try spool.finish(Engine.auditRecord(prepared, time: started, result: result, hostUid: 65_534))
        return result
    }

    /// Sleep in 2 ms steps until `done` holds (false) or the job is cancelled (true).
    private static func block(until done: () -> Bool, cancellation: CancellationSignal?) -> Bool {
        while !done() {
            if cancellation?.isCancelled == true { return true }
            usleep(2000)
        }
        return cancellation?.isCancelled == true
    }

    private static func result(of job: ScriptedJob, prepared: PreparedExecution, cancelled: Bool, stdout: String,
                               stderr: String, wallMs: Int) -> ExecutionResult {
        let status = cancelled ? ExecutionStatus.cancelled : job.status
        return ExecutionResult(
            id: prepared.id, profile: prepared.profile.name, status: status,
            exitCode: cancelled ? nil : job.exitCode, signal: cancelled ? 9 : nil, stdout: stdout, stderr: stderr,
            stdoutTruncated: false, stderrTruncated: false, wallMs: wallMs, cpuMs: 0, peakMemoryBytes: nil,
            limitHit: nil, blockedSyscall: nil, limits: ExecutionLimits(prepared.limits), success: status == .ok,
            errorType: cancelled ? "CancelledError" : status == .ok ? nil : "ScriptedError",
            errorMessage: cancelled ? "the job was cancelled before it finished"
                : status == .ok ? nil : "scripted outcome \(status.rawValue)",
            output: stdout, error: stderr, sandbox: .cold)
    }
}
