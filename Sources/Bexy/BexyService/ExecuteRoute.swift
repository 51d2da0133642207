import Bexy
import Hummingbird
import ServiceHTTP

/// `POST /execute`: run one program in a fresh sandbox and answer with the `bexy exec --json` result object
/// (200 also when the program failed: `success` is false).
///
/// 400 names the field at fault; 413 for code, stdin, files or a body over its cap; 429 with `Retry-After` when
/// every slot is busy and the queue is full; 503 when the host cannot run sandboxes or the server is shutting
/// down. A client that goes away before its answer gets its job killed (result and audit status `cancelled`).
struct ExecuteRoute: Sendable {
    let engine: Engine
    let scheduler: ExecutionScheduler
    let limits: BexyServiceConfiguration.InputLimits

    func register(on router: Router<BexyRequestContext>) {
        router.post("/execute") { request, context in
            try await execute(request, context: context)
        }
    }

    private func execute(_ request: Request, context: BexyRequestContext) async throws -> Response {
        if let reason = engine.unavailableReason {
            throw ServiceError(status: .serviceUnavailable, code: "sandbox_unavailable",
                               message: "this host cannot run sandboxes: \(reason.description)")
        }
        let requester = try Requester.of(request.headers)
        let buffer = try await JSONBody.read(request, limit: limits.bodyBytes)
        let body = try JSONBody.decode(ExecuteRequestBody.self, from: buffer, root: "body")
        let translation = try body.translate(requester: requester, limits: limits)
        let prepared: PreparedExecution
        do throws(RequestError) {
            prepared = try engine.prepare(translation.request)
        } catch {
            throw translation.error(for: error)
        }
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
            return try JSONResponse.make(result)
        case .auditFailed(let error):
            throw ServiceError(status: .internalServerError, code: "audit_failed",
                               message: "the job ran but its audit record could not be made durable: \(error)")
        case .notStarted(.shuttingDown):
            throw ServiceError(status: .serviceUnavailable, code: "shutting_down",
                               message: "the server is shutting down; the job did not run")
        case .notStarted(.cancelled):
            throw ServiceError(status: .serviceUnavailable, code: "cancelled",
                               message: "the job was cancelled before it started")
        }
    }

    private func refusal(_ error: SchedulerError, request: Request, context: BexyRequestContext) throws -> Response {
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
