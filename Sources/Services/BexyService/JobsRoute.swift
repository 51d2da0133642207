import Bexy
import Hummingbird
import NIOCore
import ServiceHTTP

/// The asynchronous jobs API: the same programs as `/execute`, answered at once and followed by id.
///
/// - `POST /jobs` (the `/execute` body): 202 with `{id, state, links: {self, events}}` and `Location`; 400, 413,
///   429 (with `Retry-After`) and 503 as for `/execute`. The id is also the result's and the audit record's; the
///   links and `Location` start with the request's `X-Forwarded-Prefix` (`/api/bexy` through the gateway).
/// - `GET /jobs/{id}`: `{id, state: queued|running|finished|cancelled, result?, error?, links}`; `result` is the
///   `/execute` result object once the job ended (`cancelled` with status `cancelled`).
/// - `GET /jobs/{id}/events`: `text/event-stream`; `stdout` and `stderr` events as the output is produced (what
///   was produced before the client connected comes first), then one `result` event, then the stream ends.
/// - `DELETE /jobs/{id}`: cancels and forgets the job, like `docker rm -f` or Judge0's `DELETE`: a queued job is
///   withdrawn (200, `cancelled`), a running one is killed through its cancellation signal (202, still `running`
///   while it stops), an ended one is answered as it ended (200); from then on the id answers 404. Events streams
///   already open still get the end; the audit record (same id) ends `cancelled` unless the job had ended.
///
/// An unknown or forgotten id is 404 `not_found`. A job never depends on a connection: an events client that goes
/// away only ends its own stream.
struct JobsRoute: Sendable {
    let execute: ExecuteRoute
    let store: JobStore

    func register(on router: Router<BexyRequestContext>) {
        router.post("/jobs") { request, context in
            try await submit(request, context: context)
        }
        router.get("/jobs/:id") { request, context in
            try JSONResponse.make(try entry(context).job.status(prefix: try ForwardedPrefix.of(request.headers)))
        }
        router.get("/jobs/:id/events") { _, context in
            try events(of: try entry(context).job, channel: context.channel)
        }
        router.delete("/jobs/:id") { request, context in
            let prefix = try ForwardedPrefix.of(request.headers)
            let entry = try entry(context)
            entry.execution.cancel()
            store.remove(entry.job.id)
            let status = entry.job.status(prefix: prefix)
            return try JSONResponse.make(status, status: status.state == .running ? .accepted : .ok)
        }
    }

    private func submit(_ request: Request, context: BexyRequestContext) async throws -> Response {
        try await submit(try await execute.prepare(request), request: request, context: context)
    }

    /// Queue a checked request as a job (`POST /jobs`, `POST /workspace/jobs`): 202 with its status and `Location`,
    /// or the scheduler's refusal.
    func submit(_ prepared: PreparedExecution, request: Request, context: BexyRequestContext) async throws -> Response {
        let prefix = try ForwardedPrefix.of(request.headers)
        let job = Job(runner: execute.runner, prepared: prepared)
        let execution: ScheduledExecution
        do throws(SchedulerError) {
            execution = try execute.scheduler.submit(prepared, observer: job)
        } catch {
            return try execute.refusal(error, request: request, context: context)
        }
        store.add(JobStore.Entry(job: job, execution: execution))
        let status = job.status(prefix: prefix)
        var response = try JSONResponse.make(status, status: .accepted)
        response.headers[.location] = status.links.`self`
        return response
    }

    private func entry(_ context: BexyRequestContext) throws -> JobStore.Entry {
        let id = try context.parameters.require("id")
        guard let entry = store.find(id) else { throw ServiceError.notFound("no job \(id) (unknown or forgotten)") }
        return entry
    }

    /// The job's events as Server-Sent Events, each written as soon as it is known.
    private func events(of job: Job, channel: any Channel) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let subscription = job.subscribe()
                let peer = try await PeerDisconnect.of(channel)
                let registration = subscription.token.map { token in peer.onDisconnect { job.unsubscribe(token) } }
                defer {
                    if let registration { peer.remove(registration) }
                    if let token = subscription.token { job.unsubscribe(token) }
                }
                for await event in subscription.events {
                    try await writer.write(ByteBuffer(string: event.serverSent))
                }
                try await writer.finish(nil)
            })
    }
}
