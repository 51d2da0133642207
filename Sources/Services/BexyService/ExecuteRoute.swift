import Bexy
import BexyAudit
import Contracts
import Hummingbird
import ServiceHTTP

/// `POST /execute`: run one program in a fresh sandbox and answer with the `bexy exec --json` result object
/// (200 also when the program failed: `success` is false).
///
/// 400 names the field at fault; 413 for code, stdin, files or a body over its cap; 429 with `Retry-After` when
/// every slot is busy and the queue is full; 503 when the host cannot run sandboxes or the server is shutting
/// down. A client that goes away before its answer gets its job killed (result and audit status `cancelled`).
struct ExecuteRoute: Sendable {
    let runner: any JobRunner
    let scheduler: ExecutionScheduler
    let limits: BexyServiceConfiguration.InputLimits

    func register(on router: Router<BexyRequestContext>) {
        router.post("/execute") { request, context in
            try await execute(request, context: context)
        }
    }

    /// 503 `sandbox_unavailable` with the host check's reason when this host cannot run sandboxes.
    func requireSandbox() throws {
        if let reason = runner.unavailableReason {
            throw ServiceError(status: .serviceUnavailable, code: "sandbox_unavailable",
                               message: "this host cannot run sandboxes: \(reason.description)")
        }
    }

    private func execute(_ request: Request, context: BexyRequestContext) async throws -> Response {
        let prepared = try await prepare(request)
        return try await run(prepared, request: request, context: context) { try JSONResponse.make($0) }
    }

    /// Read and check an `/execute` body (shared by `/execute` and `POST /jobs`): 503 when this host cannot run
    /// sandboxes, 400 naming the field at fault, 413 for an input over its cap.
    func prepare(_ request: Request) async throws -> PreparedExecution {
        try requireSandbox()
        let requester = try Requester.of(request.headers)
        let buffer = try await JSONBody.read(request, limit: limits.bodyBytes)
        let body = try JSONBody.decode(ExecuteRequestBody.self, from: buffer, root: "body")
        do throws(RequestRefusal) {
            return try runner.prepare(body.request(requester: requester, limits: limits))
        } catch {
            throw ServiceError(error)
        }
    }

    /// Queue `prepared`, wait for it and answer with `respond(result)`; shared by `/execute` and `/analyze`.
    ///
    /// A client that goes away (or a cancelled handler) kills the job; a full queue is 429 with `Retry-After`,
    /// a failed audit 500, shutdown 503.
    func run(_ prepared: PreparedExecution, request: Request, context: BexyRequestContext,
             respond: (ExecutionResult) throws -> Response) async throws -> Response {
        let execution: ScheduledExecution
        do throws(SchedulerError) {
            execution = try scheduler.submit(prepared)
        } catch {
            return try refusal(error, request: request, context: context)
        }

        let peer = try await PeerDisconnect.of(context.channel)
        let registration = peer.onDisconnect { execution.cancel() }
        defer { peer.remove(registration) }
        let outcome = await withTaskCancellationHandler {
            await execution.outcome()
        } onCancel: {
            execution.cancel()
        }
        switch outcome {
        case .finished(let result):
            return try respond(result)
        case .auditFailed(let error):
            throw ServiceError(status: .internalServerError, code: "audit_failed",
                               message: error.jobFailure)
        case .notStarted(.shuttingDown):
            throw ServiceError(status: .serviceUnavailable, code: "shutting_down",
                               message: "the server is shutting down; the job did not run")
        case .notStarted(.cancelled):
            throw ServiceError(status: .serviceUnavailable, code: "cancelled",
                               message: "the job was cancelled before it started")
        }
    }

    /// The answer to a refused submission: 429 with `Retry-After`, or 503 (thrown).
    func refusal(_ error: SchedulerError, request: Request, context: BexyRequestContext) throws -> Response {
        switch error {
        case .queueFull(let seconds):
            var response = try ServiceError(
                status: .tooManyRequests, code: "queue_full",
                message: "all \(scheduler.slots) sandboxes are busy and \(scheduler.queueCapacity) jobs are waiting; "
                    + "retry after \(seconds) s")
                .response(from: request, context: context)
            response.headers[.retryAfter] = String(seconds)
            return response
        case .shuttingDown:
            throw ServiceError(status: .serviceUnavailable, code: "shutting_down",
                               message: "the server is shutting down and takes no new jobs")
        case .cannotTrack(let failure):
            throw ServiceError(status: .serviceUnavailable, code: "resources_exhausted",
                               message: "the job could not be accepted: \(failure.description)")
        }
    }
}

extension AuditSpoolError {
    /// What an `audit_failed` answer says: a record that could not be written ahead means the job did not run;
    /// one that could not be completed means it ran and its result is withheld.
    var jobFailure: String {
        operation == "begin"
            ? "the job did not run: its audit record could not be written ahead: \(self)"
            : "the job ran but its audit record could not be made durable: \(self)"
    }
}
