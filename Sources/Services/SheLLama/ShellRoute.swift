import Contracts
import HTTPTypes
import Hummingbird
import ServiceHTTP

/// `POST /shell {command, cwd?, timeout?, env?, stream?, workspace?}`: the command runs as `/bin/sh -c` in a
/// BEXY sandbox with the workspace at `/workspace` (SheLLama never runs it itself).
///
/// Answers `{status: success|error, output, error, exit_code, timed_out, execution_status, result}` (`result` is
/// BEXY's whole `ExecutionResult`; `status` is `success` when the command exited 0). With `stream: true` the
/// command starts as a BEXY job: 202 `{status:"accepted", job_id, links, job}`, followed through the jobs API;
/// `links` are the gateway's (`/api/bexy/jobs/{id}`, its `/events`), `job` is BEXY's answer as is.
struct ShellRoute: Sendable {
    let access: WorkspaceAccess
    let bexy: BexyClient

    /// The header naming who asked, as the gateway forwards it; passed on to BEXY for the audit record.
    static let requester = HTTPField.Name("X-PyLama-Requester")!

    func register(on router: Router<BasicRequestContext>) {
        router.post("/shell") { request, context in
            let fields = try await RequestFields.body(request, limit: 1 << 20)
            let command = try fields.string("command")
            guard !command.isEmpty, !command.utf8.contains(0) else {
                throw ServiceError.invalidField("command", "must be a non-empty command without NUL bytes")
            }
            let execution = try execution(.shell(command), fields: fields)
            let requester = request.headers[values: Self.requester].first
            let requestID = RequestIdentifier.of(request, context: context)
            if try fields.bool("stream", default: false) {
                let job = try await bexy.start(execution, requester: requester, requestID: requestID)
                return try JSONResponse.make(JSONValue.object([
                    "status": .string("accepted"), "job_id": job["id"] ?? .null, "links": Self.gatewayLinks(job["links"]),
                    "job": job,
                ]), status: .accepted)
            }
            let result = try await bexy.execute(execution, requester: requester, requestID: requestID)
            return try JSONResponse.make(Self.answer(result))
        }
    }

    /// The execution `fields` ask for (`workspace`, `cwd`, `env`, `timeout`), its workspace checked here first so
    /// a bad name or a missing workspace is answered without a sandbox.
    func execution(_ command: BexyClient.Command, fields: RequestFields, cwdField: String = "cwd") throws
        -> BexyClient.Execution {
        let workspace = try fields.workspace()
        let cwd = try fields.path(cwdField, allowTop: true, fallback: "")
        try access.run(workspace, field: cwdField) { (space) throws(WorkspaceError) in
            if !cwd.components.isEmpty { _ = try space.openDirectory(cwd) }
        }
        return BexyClient.Execution(workspace: workspace, command: command, cwd: cwd.description,
                                    env: try fields.stringMap("env"), timeout: try fields.positiveNumber("timeout", maximum: 3600))
    }

    /// BEXY's job links (`/jobs/{id}`, relative to BEXY) as the gateway serves them (`/api/bexy/jobs/{id}`).
    static func gatewayLinks(_ links: JSONValue?) -> JSONValue {
        guard case .object(let members)? = links else { return .null }
        return .object(members.mapValues { link in
            guard case .string(let path) = link, path.hasPrefix("/") else { return link }
            return .string("/api/bexy" + path)
        })
    }

    /// The original contract's answer around BEXY's `ExecutionResult`.
    static func answer(_ result: JSONValue, extra: [String: JSONValue] = [:]) -> JSONValue {
        let exitCode = result["exit_code"]?.int
        let status = result["status"]?.string
        var members: [String: JSONValue] = [
            "status": .string(status == "ok" && exitCode == 0 ? "success" : "error"),
            "output": result["stdout"] ?? .string(""), "error": result["stderr"] ?? .string(""),
            "exit_code": exitCode.map { .integer(Int64($0)) } ?? .null,
            "timed_out": .bool(status == "timeout"), "execution_status": result["status"] ?? .null,
            "result": result,
        ]
        members.merge(extra) { $1 }
        return .object(members)
    }
}
