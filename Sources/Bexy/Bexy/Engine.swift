import BexyAudit
import Contracts
import Jail
import JailWarm
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The execution engine: resolves the profile, applies the request's tightening, runs the job in a
/// single-use sandbox, classifies the outcome and audits it: the record is written ahead (`started`, durable
/// before any of the job's code runs) and completed with the outcome before returning.
///
/// A sandbox that cannot be set up is not an exception to the caller: the result says `sandbox_error` with
/// the reason, and the audit trail records it like every other execution.
public final class Engine: Sendable {
    public let profiles: ProfileStore
    private let sandbox: Result<Sandbox, JailError>
    /// Sandboxes made ahead of time, tried before the cold `sandbox`; nil: every job is cold.
    private let warmPool: WarmPool?
    private let spool: AuditSpool
    /// Compiled seccomp programs by policy: compiling one costs ~1.5 ms, and profiles rarely change.
    private let filters = Mutex<[SeccompPolicy: SeccompFilter]>([:])
    /// Where workspace commands' workspaces live; nil: workspace commands are refused.
    public let workspaces: WorkspaceRoot?

    /// The version recorded in results and audit records.
    public static let version = "0.1.0"

    /// - Parameters:
    ///   - profiles: where profiles come from.
    ///   - sandboxConfiguration: host-side sandbox settings; the host is checked here (fail closed).
    ///   - warmPool: pre-isolated sandboxes forked from a pre-initialised interpreter; nil: every job is cold.
    ///   - spool: the durable audit spool.
    ///   - workspaces: SheLLama's workspaces (`BexySettings.workspaceRoot`); nil: workspace commands are refused.
    public init(profiles: ProfileStore = ProfileStore(), sandboxConfiguration: SandboxConfiguration = SandboxConfiguration(),
                warmPool: WarmPoolConfiguration? = nil, spool: AuditSpool, workspaces: WorkspaceRoot? = nil) {
        self.profiles = profiles
        self.workspaces = workspaces
        do throws(JailError) {
            let sandbox = try Sandbox(configuration: sandboxConfiguration)
            self.sandbox = .success(sandbox)
            self.warmPool = warmPool.map { WarmPool(configuration: $0, sandbox: sandbox) }
        } catch {
            sandbox = .failure(error)
            self.warmPool = nil
        }
        self.spool = spool
    }

    /// Run `request`. Throws `RequestRefusal` for a bad request (nothing ran, nothing audited) and
    /// `AuditSpoolError` if the audit record cannot be made durable; everything else is in the result.
    public func execute(_ request: ExecutionRequest) throws -> ExecutionResult {
        try execute(prepare(request))
    }

    /// Check `request` without running it: resolve the profile, apply the request's tightening, check the file
    /// names and arguments (the paths themselves are `RelativePath`s, checked when made). A service checks requests this way before queueing them.
    ///
    /// - Throws: `RequestRefusal` naming the field at fault as the request's front door names it.
    public func prepare(_ request: ExecutionRequest) throws(RequestRefusal) -> PreparedExecution {
        let names = request.fieldNames
        let profile: Profile
        let limits: ResourceLimits
        do throws(ProfileError) {
            profile = try profiles.profile(named: request.profile)
        } catch {
            throw RequestRefusal(field: names.profile, message: error.description)
        }
        do throws(LimitOverrides.Violation) {
            limits = try request.overrides.applied(to: profile.limits)
        } catch {
            throw refusal(error, profile: profile.name, names: names)
        }
        if request.files.contains(where: { $0.path == ExecutionRequest.scriptPath }) {
            throw RequestRefusal(field: names.files,
                                 message: "'\(ExecutionRequest.scriptName)' is reserved for the code")
        }
        if let index = request.arguments.firstIndex(where: { $0.utf8.contains(0) }) {
            throw RequestRefusal(field: "\(names.arguments)[\(index)]", message: "must not contain a NUL byte")
        }
        if let command = request.workspace {
            _ = try workspaceMount(command, profile: profile, names: names)  // refused now if it cannot run
        }
        var request = request
        if var project = request.project {
            // The request's code and files win over the project's files of the same path.
            let replaced = Set([ExecutionRequest.scriptPath] + request.files.map(\.path))
            project.skipped += project.files.filter { replaced.contains($0.path) }
                .map { ProjectCopy.Skipped(path: $0.path.string, reason: "replaced by the request's code or files") }
            project.files.removeAll { replaced.contains($0.path) }
            request.project = project
        }
        return PreparedExecution(id: AuditRecord.newID(), request: request, profile: profile, limits: limits)
    }

    /// The workspace `command` runs in, opened for a job of `profile` (which must have a mount point for it).
    ///
    /// - Throws: `RequestRefusal` naming `profile`, or a field of the command (`WorkspaceCommand.check()`,
    ///   `WorkspaceRoot.mount`); 403 naming `workspace` when this engine has no workspace root.
    private func workspaceMount(_ command: WorkspaceCommand, profile: Profile,
                                names: RequestFieldNames) throws(RequestRefusal) -> WorkspaceMount {
        let workingDirectory = try command.check()
        guard let mountPoint = profile.workspace else {
            throw RequestRefusal(field: names.profile, message: "the \(profile.name) profile has no `workspace` mount "
                                 + "point", hint: "use the \(WorkspaceCommand.defaultProfile) profile")
        }
        guard let workspaces else {
            throw RequestRefusal(.notAllowed, field: "workspace", message: "workspaces are not configured here")
        }
        return try workspaces.mount(command, workingDirectory: workingDirectory, at: mountPoint)
    }

    /// The refusal for an override `profile` does not allow, in the caller's units, with a hint naming another
    /// profile: the one with the smallest maximum that allows the value, else the one that allows the most.
    private func refusal(_ violation: LimitOverrides.Violation, profile: String,
                         names: RequestFieldNames) -> RequestRefusal {
        let field = violation.field
        let requested = violation.requested == Int.max ? "a value this large" : field.describe(violation.requested)
        guard let maximum = violation.maximum else {
            return RequestRefusal(field: names.name(of: field), message: "must be positive, got \(requested)")
        }
        let looser = profiles.names().compactMap { name -> (name: String, maximum: Int)? in
            guard name != profile, let other = try? profiles.profile(named: name) else { return nil }
            let limit = other.limits[keyPath: field.limit]
            return limit > maximum ? (name, limit) : nil
        }.sorted { $0.maximum < $1.maximum }
        let suggested = looser.first { $0.maximum >= violation.requested } ?? looser.last
        return RequestRefusal(
            field: names.name(of: field),
            message: "\(requested) exceeds the \(profile) profile's maximum of \(field.describe(maximum))",
            hint: suggested.map { "the \($0.name) profile allows up to \(field.describe($0.maximum))" }
                ?? "requests may only tighten a profile's limits")
    }

    /// Run a checked request in a fresh sandbox, its audit record written ahead and completed before returning.
    ///
    /// The result and the record carry `prepared.id`. The `started` record is durable before the sandbox is made;
    /// if the process dies before the end, the next open of the spool marks it `interrupted`.
    ///
    /// - Parameters:
    ///   - cancellation: when it fires, the job is killed and the result (and record) say `cancelled`.
    ///   - output: sees the job's captured output chunk by chunk as it is produced (on this thread).
    /// - Throws: `AuditSpoolError` if the record cannot be made durable (before the run: nothing ran); everything
    ///   else is in the result.
    public func execute(_ prepared: PreparedExecution, cancellation: CancellationSignal? = nil,
                        output: OutputHandler? = nil) throws(AuditSpoolError) -> ExecutionResult {
        let request = prepared.request, profile = prepared.profile, limits = prepared.limits
        let id = prepared.id
        let started = AuditRecord.timestamp()
        try spool.begin(Self.auditRecord(prepared, time: started, result: nil, hostUid: 0))
        var result: ExecutionResult
        var hostUid = 0
        do throws(JailError) {
            let sandbox = try self.sandbox.get()
            let filter = try seccompFilter(profile.seccomp, notifyOnKill: sandbox.notifiesBlockedSyscalls)
            var workspace: WorkspaceMount?
            if let command = request.workspace {
                // Opened again for the job: the request was checked when it was accepted, maybe long ago.
                do throws(RequestRefusal) {
                    workspace = try workspaceMount(command, profile: profile, names: request.fieldNames)
                } catch {
                    throw JailError(.invalidConfiguration, stage: "workspace",
                                    message: "the workspace changed after the request was accepted: \(error)")
                }
            }
            let job = Self.jobSpec(request, profile: profile, limits: limits, filter: filter, workspace: workspace)
            let outcome = try run(job, in: sandbox, cancellation: cancellation, output: output)
            hostUid = Int(outcome.hostUid)
            result = Self.result(id: id, profile: profile.name, limits: limits, outcome: outcome)
            result.sandbox = .init(outcome.sandbox)
            if request.artifacts != nil { result.artifacts = outcome.artifacts.map(ArtifactResult.init) }
            result.projectSkipped = request.project?.skipped
        } catch {
            result = Self.sandboxError(id: id, profile: profile.name, limits: limits, error: error)
        }
        try spool.finish(Self.auditRecord(prepared, time: started, result: result, hostUid: hostUid))
        return result
    }

    /// Warm if the pool can take `job`, else cold.
    private func run(_ job: JobSpec, in sandbox: Sandbox, cancellation: CancellationSignal?,
                     output: OutputHandler?) throws(JailError) -> JailOutcome {
        if let warmPool, let outcome = try warmPool.run(job, cancellation: cancellation, output: output) {
            return outcome
        }
        return try sandbox.run(job, cancellation: cancellation, output: output)
    }

    /// What the Jail runs for `request`: the profile's interpreter on the script, in the profile's sandbox; for a
    /// workspace command, the shell in `workspace`, with the command's environment added to the profile's.
    static func jobSpec(_ request: ExecutionRequest, profile: Profile, limits: ResourceLimits,
                        filter: SeccompFilter, workspace: WorkspaceMount? = nil) -> JobSpec {
        let command = request.workspace
        return JobSpec(
            command: command?.jobCommand
                ?? JobCommand(interpreter: profile.python, interpreterFlags: profile.pythonArgs,
                              script: ExecutionRequest.scriptName, scriptArguments: request.arguments),
            environment: profile.environment.merging(command?.environment ?? [:]) { $1 },
            files: command != nil ? [] : [JobFile(path: ExecutionRequest.scriptPath, contents: request.code)]
                + (request.project?.files ?? []) + request.files,
            stdin: request.stdin, limits: limits, hostname: profile.hostname, seccomp: filter,
            artifacts: request.artifacts, workspace: workspace)
    }

    /// The compiled filter for `policy`, compiled on first use.
    private func seccompFilter(_ policy: SeccompPolicy, notifyOnKill: Bool) throws(JailError) -> SeccompFilter {
        if let cached = filters.withLock({ $0[policy] }) { return cached }
        let filter = try SeccompFilter(policy: policy, notifyOnKill: notifyOnKill)
        filters.withLock { $0[policy] = filter }
        return filter
    }

    /// The warm pool's idle cost and counters; nil when this engine runs every job cold.
    public var warmPoolStatistics: WarmPoolStatistics? {
        warmPool?.statistics()
    }

    /// Have the warm pool keep a sandbox ready for every profile's default limits (but workspace profiles), so
    /// that the first jobs are warm too. Does nothing without a warm pool.
    public func prewarm() {
        guard let sandbox = try? sandbox.get(), let pool = warmPool else { return }
        for name in profiles.names() {
            // A workspace profile's jobs are workspace commands, which always run cold.
            guard let profile = try? profiles.profile(named: name), profile.workspace == nil,
                  let filter = try? seccompFilter(profile.seccomp, notifyOnKill: sandbox.notifiesBlockedSyscalls)
            else { continue }
            let request = ExecutionRequest(code: [], profile: name, requester: "prewarm", frontDoor: .http)
            pool.prewarm(Self.jobSpec(request, profile: profile, limits: profile.limits, filter: filter))
        }
    }

    /// Destroy the warm pool's ready sandboxes and zygotes (at shutdown).
    public func shutdownWarmPool() {
        warmPool?.shutdown()
    }

    /// Record that a checked request was cancelled before it ran (nothing ran, no host uid): its result says
    /// `cancelled`, and its audit record is appended before returning, so that every accepted request has one.
    ///
    /// - Throws: `AuditSpoolError` if the audit record cannot be made durable.
    public func cancelledBeforeStart(_ prepared: PreparedExecution) throws(AuditSpoolError) -> ExecutionResult {
        let result = Self.notRun(id: prepared.id, profile: prepared.profile.name, limits: prepared.limits,
                                 status: .cancelled, errorType: "CancelledError",
                                 errorMessage: "the job was cancelled before it started")
        try spool.append(Self.auditRecord(prepared, time: AuditRecord.timestamp(), result: result, hostUid: 0))
        return result
    }

    /// The audit record of `prepared` started at `time`: `started` with no usage while `result` is nil, else how
    /// it ended (a `JobRunner` other than the engine writes its records with it too).
    public static func auditRecord(_ prepared: PreparedExecution, time: String, result: ExecutionResult?,
                            hostUid: Int) -> AuditRecord {
        let request = prepared.request
        return AuditRecord(
            id: prepared.id, time: time, requester: request.requester, frontDoor: request.frontDoor,
            profile: prepared.profile.name, codeSha256: AuditRecord.sha256Hex(request.code),
            codeBytes: request.code.count, limits: ExecutionLimits(prepared.limits), status: result?.status ?? .started,
            exitCode: result?.exitCode, signal: result?.signal, blockedSyscall: result?.blockedSyscall,
            limitHit: result?.limitHit, wallMs: result?.wallMs ?? 0, cpuMs: result?.cpuMs ?? 0,
            peakMemoryBytes: result?.peakMemoryBytes, stdoutBytes: result?.stdout.utf8.count ?? 0,
            stderrBytes: result?.stderr.utf8.count ?? 0, hostUid: hostUid, bexyVersion: version,
            code: AuditRecord.excerpt(request.code, limit: AuditRecord.codeExcerptBytes),
            stdoutHead: result.map { AuditRecord.excerpt($0.stdout.utf8, limit: AuditRecord.outputExcerptBytes) },
            stderrHead: result.map { AuditRecord.excerpt($0.stderr.utf8, limit: AuditRecord.outputExcerptBytes) })
    }

    /// Remove the cgroups that jobs of a killed bexy left behind (see `Sandbox.sweepStaleJobs`); nil when the
    /// sandbox is unavailable on this host.
    public func sweepStaleJobs() -> StaleJobSweep? {
        try? sandbox.get().sweepStaleJobs()
    }

    /// The host check's verdict: nil when jobs can run, else the reason they cannot.
    public var unavailableReason: JailError? {
        if case .failure(let error) = sandbox { return error }
        return nil
    }

    static func result(id: String, profile: String, limits: ResourceLimits, outcome: JailOutcome) -> ExecutionResult {
        let verdict = OutcomeClassifier.classify(outcome, limits: limits)
        var exitCode: Int?
        var signal: Int?
        switch outcome.termination {
        case .exited(let code): exitCode = Int(code)
        case .signaled(let number): signal = Int(number)
        case .killed: signal = 9
        }
        let stdout = String(decoding: outcome.stdout, as: UTF8.self)
        let stderr = String(decoding: outcome.stderr, as: UTF8.self)
        return ExecutionResult(
            id: id, profile: profile, status: verdict.status, exitCode: exitCode, signal: signal, stdout: stdout,
            stderr: stderr, stdoutTruncated: outcome.stdoutTruncated, stderrTruncated: outcome.stderrTruncated,
            wallMs: Int(outcome.wallNanoseconds / 1_000_000), cpuMs: Int(outcome.cpuMicroseconds / 1000),
            peakMemoryBytes: outcome.cgroup.peakMemoryBytes, limitHit: verdict.limitHit,
            blockedSyscall: verdict.status == .syscallBlocked ? outcome.blockedSyscall : nil,
            limits: ExecutionLimits(limits),
            success: verdict.status == .ok, errorType: verdict.errorType, errorMessage: verdict.errorMessage,
            output: stdout, error: stderr)
    }

    static func sandboxError(id: String, profile: String, limits: ResourceLimits, error: JailError) -> ExecutionResult {
        notRun(id: id, profile: profile, limits: limits, status: .sandboxError, errorType: "SandboxError",
               errorMessage: error.description)
    }

    /// The result of a job that never ran: no output, no usage.
    static func notRun(id: String, profile: String, limits: ResourceLimits, status: ExecutionStatus,
                       errorType: String, errorMessage: String) -> ExecutionResult {
        ExecutionResult(
            id: id, profile: profile, status: status, exitCode: nil, signal: nil, stdout: "", stderr: "",
            stdoutTruncated: false, stderrTruncated: false, wallMs: 0, cpuMs: 0, peakMemoryBytes: nil,
            limitHit: nil, blockedSyscall: nil, limits: ExecutionLimits(limits), success: false, errorType: errorType,
            errorMessage: errorMessage, output: "", error: "")
    }
}
