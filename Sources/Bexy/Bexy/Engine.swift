import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Why an execution could not even be attempted: the request itself is wrong (bad profile, a limit looser
/// than the profile allows, an unsafe file path). Mapped to exit code 2 on the CLI and 400 over HTTP.
public struct RequestError: Error, Sendable, CustomStringConvertible {
    /// The request field at fault (`profile`, `timeout`, `files`, `limits.memory_bytes`).
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The execution engine: resolves the profile, applies the request's tightening, runs the job in a
/// single-use sandbox, classifies the outcome and appends the audit record before returning.
///
/// A sandbox that cannot be set up is not an exception to the caller: the result says `sandbox_error` with
/// the reason, and the audit trail records it like every other execution.
public final class Engine: Sendable {
    public let profiles: ProfileStore
    private let sandbox: Result<Sandbox, JailError>
    private let spool: AuditSpool

    /// The version recorded in results and audit records.
    public static let version = "0.1.0"

    /// - Parameters:
    ///   - profiles: where profiles come from.
    ///   - sandboxConfiguration: host-side sandbox settings; the host is checked here (fail closed).
    ///   - spool: the durable audit spool.
    public init(profiles: ProfileStore = ProfileStore(), sandboxConfiguration: SandboxConfiguration = .fromEnvironment(),
                spool: AuditSpool) {
        self.profiles = profiles
        do throws(JailError) {
            sandbox = .success(try Sandbox(configuration: sandboxConfiguration))
        } catch {
            sandbox = .failure(error)
        }
        self.spool = spool
    }

    /// Run `request`. Throws `RequestError` for a bad request (nothing ran, nothing audited) and
    /// `AuditSpoolError` if the audit record cannot be made durable; everything else is in the result.
    public func execute(_ request: ExecutionRequest) throws -> ExecutionResult {
        try execute(prepare(request))
    }

    /// Check `request` without running it: resolve the profile, apply the request's tightening, validate the
    /// file paths. A service checks requests this way before queueing them.
    ///
    /// - Throws: `RequestError` naming the request field at fault.
    public func prepare(_ request: ExecutionRequest) throws(RequestError) -> PreparedExecution {
        let profile: Profile
        let limits: ResourceLimits
        do throws(ProfileError) {
            profile = try profiles.profile(named: request.profile)
        } catch {
            throw RequestError(field: "profile", message: error.description)
        }
        do throws(ProfileError) {
            limits = try request.overrides.applied(to: profile.limits)
        } catch {
            throw RequestError(field: error.field, message: error.message)
        }
        if request.files.contains(where: { $0.path == ExecutionRequest.scriptName }) {
            throw RequestError(field: "files", message: "'\(ExecutionRequest.scriptName)' is reserved for the code")
        }
        for file in request.files {
            do throws(JailError) {
                _ = try RootFilesystem.safeComponents(file.path)
            } catch {
                throw RequestError(field: "files", message: error.message)
            }
        }
        return PreparedExecution(request: request, profile: profile, limits: limits)
    }

    /// Run a checked request in a fresh sandbox and append its audit record before returning.
    ///
    /// - Parameter cancellation: when it fires, the job is killed and the result (and record) say `cancelled`.
    /// - Throws: `AuditSpoolError` if the audit record cannot be made durable; everything else is in the result.
    public func execute(_ prepared: PreparedExecution,
                        cancellation: CancellationSignal? = nil) throws(AuditSpoolError) -> ExecutionResult {
        let request = prepared.request, profile = prepared.profile, limits = prepared.limits
        let id = AuditRecord.newID()
        let started = AuditRecord.timestamp()
        var result: ExecutionResult
        var hostUid = 0
        do throws(JailError) {
            let sandbox = try self.sandbox.get()
            let filter = try SeccompFilter(policy: profile.seccomp, notifyOnKill: sandbox.notifiesBlockedSyscalls)
            let job = JobSpec(
                executable: profile.python,
                arguments: profile.pythonArgs + [ExecutionRequest.scriptName] + request.arguments,
                environment: profile.environment,
                files: [JobFile(path: ExecutionRequest.scriptName, contents: request.code)] + request.files,
                stdin: request.stdin, limits: limits, hostname: profile.hostname, seccomp: filter)
            let outcome = try sandbox.run(job, cancellation: cancellation)
            hostUid = Int(outcome.hostUid)
            result = Self.result(id: id, profile: profile.name, limits: limits, outcome: outcome)
        } catch {
            result = Self.sandboxError(id: id, profile: profile.name, limits: limits, error: error)
        }
        try spool.append(AuditRecord(
            id: id, time: started, requester: request.requester, frontDoor: request.frontDoor,
            profile: profile.name, codeSha256: AuditRecord.sha256Hex(request.code), codeBytes: request.code.count,
            limits: limits, status: result.status, exitCode: result.exitCode, signal: result.signal,
            blockedSyscall: result.blockedSyscall, limitHit: result.limitHit, wallMs: result.wallMs,
            cpuMs: result.cpuMs, peakMemoryBytes: result.peakMemoryBytes, stdoutBytes: result.stdout.utf8.count,
            stderrBytes: result.stderr.utf8.count, hostUid: hostUid, bexyVersion: Self.version))
        return result
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
            blockedSyscall: verdict.status == .syscallBlocked ? outcome.blockedSyscall : nil, limits: limits,
            success: verdict.status == .ok, errorType: verdict.errorType, errorMessage: verdict.errorMessage,
            output: stdout, error: stderr)
    }

    static func sandboxError(id: String, profile: String, limits: ResourceLimits, error: JailError) -> ExecutionResult {
        ExecutionResult(
            id: id, profile: profile, status: .sandboxError, exitCode: nil, signal: nil, stdout: "", stderr: "",
            stdoutTruncated: false, stderrTruncated: false, wallMs: 0, cpuMs: 0, peakMemoryBytes: nil,
            limitHit: nil, blockedSyscall: nil, limits: limits, success: false, errorType: "SandboxError",
            errorMessage: error.description, output: "", error: "")
    }
}
