import Bexy
import Contracts
import Jail

/// From the wire body of `POST /workspace/execute` to the engine's request: the checks the engine does not make
/// (exactly one of `command` and `argv`, sizes, positive limits). The engine checks the rest (`WorkspaceCommand`,
/// the workspace and `cwd` on the file system, the profile).
extension WorkspaceExecuteRequestBody {
    /// The engine's request for this body.
    ///
    /// - Throws: `RequestRefusal`: `invalid_field` naming `command` when both or neither of `command` and `argv`
    ///   are given, or `timeout`/`memory_limit` when not a positive number; `payload_too_large` naming `command`,
    ///   `argv` or `stdin` when over its cap.
    func request(requester: String, frontDoor: AuditRecord.FrontDoor,
                 limits: BexyServiceConfiguration.InputLimits) throws(RequestRefusal) -> ExecutionRequest {
        let program: WorkspaceCommand.Program
        switch (command, argv) {
        case (let command?, nil): program = .shell(command)
        case (nil, let argv?): program = .argv(argv)
        default:
            throw RequestRefusal(field: command == nil ? "command" : "argv",
                                 message: "give exactly one of `command` (a shell command) and `argv`")
        }
        let workspaceCommand = WorkspaceCommand(workspace: workspace ?? WorkspaceCommand.defaultWorkspace,
                                                program: program, workingDirectory: cwd, environment: env ?? [:])
        try ExecuteRequestBody.check(command != nil ? "command" : "argv", bytes: workspaceCommand.text.utf8.count,
                                     cap: limits.codeBytes, key: "BEXY_MAX_CODE_BYTES")
        let stdin = Array((stdin ?? "").utf8)
        try ExecuteRequestBody.check("stdin", bytes: stdin.count, cap: limits.stdinBytes, key: "BEXY_MAX_STDIN_BYTES")
        var overrides = LimitOverrides()
        do throws(LimitOverrides.InvalidValue) {
            if let timeout { overrides.timeoutMs = try LimitOverrides.timeoutMs(seconds: timeout) }
        } catch {
            throw RequestRefusal(field: "timeout", message: error.message)
        }
        do throws(LimitOverrides.InvalidValue) {
            if let memoryLimit { overrides.memoryBytes = try LimitOverrides.memoryBytes(mebibytes: memoryLimit) }
        } catch {
            throw RequestRefusal(field: "memory_limit", message: error.message)
        }
        var request = ExecutionRequest(workspace: workspaceCommand, profile: profile ?? WorkspaceCommand.defaultProfile,
                                       stdin: .bytes(stdin), overrides: overrides, requester: requester,
                                       frontDoor: frontDoor)
        request.fieldNames.memory = "memory_limit"
        return request
    }
}
