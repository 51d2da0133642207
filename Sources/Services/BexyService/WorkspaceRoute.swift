import Bexy
import Contracts
import Hummingbird
import ServiceHTTP

/// The internal routes SheLLama runs its shell and git commands through (the gateway refuses to forward them): a
/// command in a workspace, bound read-write at `/workspace` in a fresh sandbox (profile `workspace` by default).
///
/// - `POST /workspace/execute` (`WorkspaceExecuteRequestBody`): answers like `POST /execute`, with the same
///   `ExecutionResult`.
/// - `POST /workspace/jobs` (same body): answers like `POST /jobs` (202, the job's id and links); the job is then
///   followed and deleted through `/jobs/{id}` like any other.
///
/// The requester is `X-PyLama-Requester` (as for `/execute`), the audit record's front door `X-PyLama-Front-Door`
/// (`shellama` without it). Refusals: 400 naming the field (`workspace` not a name, `cwd` escaping or missing,
/// `command`/`argv` both or neither, ...), 404 naming `workspace` when it does not exist, and the `/execute`
/// statuses. Job links start with `X-Forwarded-Prefix` as for `POST /jobs` (SheLLama sends `/api/bexy`).
struct WorkspaceRoute: Sendable {
    let execute: ExecuteRoute
    let jobs: JobsRoute

    func register(on router: Router<BexyRequestContext>) {
        router.post("/workspace/execute") { request, context in
            let prepared = try await prepare(request)
            return try await execute.run(prepared, request: request, context: context) { try JSONResponse.make($0) }
        }
        router.post("/workspace/jobs") { request, context in
            try await jobs.submit(try await prepare(request), request: request, context: context)
        }
    }

    /// Read and check a workspace body: 503 when this host cannot run sandboxes, 400/404
    /// naming the field at fault, 413 for an input over its cap.
    private func prepare(_ request: Request) async throws -> PreparedExecution {
        try execute.requireSandbox()
        let requester = try Requester.of(request.headers)
        let frontDoor = try FrontDoorHeader.of(request.headers, fallback: .shellama)
        let buffer = try await JSONBody.read(request, limit: execute.limits.bodyBytes)
        let body = try JSONBody.decode(WorkspaceExecuteRequestBody.self, from: buffer, root: "body")
        do throws(RequestRefusal) {
            return try execute.runner.prepare(body.request(requester: requester, frontDoor: frontDoor,
                                                           limits: execute.limits))
        } catch {
            throw ServiceError(error)
        }
    }
}
