import Bexy
import Contracts
import Jail
import ServiceHTTP

/// From the wire body of `POST /execute` to the engine's request: the checks the engine does not make (sizes,
/// positive limits, the project's roots), and the body's field names for the engine's errors.
extension ExecuteRequestBody {
    /// The engine's request, with the request fields the engine's own field names stand for.
    struct Translation {
        var request: ExecutionRequest
        /// Engine field (`timeout_ms`, `memory_bytes`) -> the body field it came from (`options.timeout`).
        var fieldNames: [String: String]

        /// The service error for an engine `RequestError`, naming the body's field.
        func error(for failure: RequestError) -> ServiceError {
            let field = fieldNames[failure.field] ?? failure.field
            let unit = failure.field == "timeout_ms" ? " (in milliseconds)"
                : failure.field == "memory_bytes" ? " (in bytes)" : ""
            return .invalidField(field, failure.message + unit)
        }
    }

    /// Check the sizes and values the engine does not, and build its request.
    ///
    /// - Throws: `ServiceError` 413 naming `code`, `stdin` or `files` when over its cap; 400 naming the field
    ///   for a timeout or memory limit that is not a positive number.
    func translate(requester: String, limits: BexyServiceConfiguration.InputLimits) throws -> Translation {
        let code = Array(code.utf8)
        try Self.check("code", bytes: code.count, cap: limits.codeBytes, key: "BEXY_MAX_CODE_BYTES")
        let stdin = stdin.map { Array($0.utf8) }
        try Self.check("stdin", bytes: stdin?.count ?? 0, cap: limits.stdinBytes, key: "BEXY_MAX_STDIN_BYTES")
        let jobFiles = (files ?? [:]).sorted { $0.key < $1.key }.map { JobFile(path: $0.key, contents: Array($0.value.utf8)) }
        try Self.check("files", bytes: jobFiles.reduce(0) { $0 + $1.contents.count }, cap: limits.filesBytes,
                       key: "BEXY_MAX_FILES_BYTES")

        var overrides = LimitOverrides()
        var fieldNames: [String: String] = [:]
        let timeouts = [("timeout", timeout), ("options.timeout", options?.timeout)].compactMap { field, seconds in
            seconds.map { (field, $0) }
        }
        for (field, seconds) in timeouts {
            let milliseconds: Int
            do throws(LimitOverrides.InvalidValue) {
                milliseconds = try LimitOverrides.timeoutMs(seconds: seconds)
            } catch {
                throw ServiceError.invalidField(field, error.message)
            }
            if overrides.timeoutMs.map({ milliseconds < $0 }) ?? true {
                overrides.timeoutMs = milliseconds
                fieldNames["timeout_ms"] = field
            }
        }
        if let megabytes = options?.memoryLimit {
            do throws(LimitOverrides.InvalidValue) {
                overrides.memoryBytes = try LimitOverrides.memoryBytes(mebibytes: megabytes)
            } catch {
                throw ServiceError.invalidField("options.memory_limit", error.message)
            }
            fieldNames["memory_bytes"] = "options.memory_limit"
        }
        let request = ExecutionRequest(
            code: code, profile: profile ?? "strict", stdin: stdin, files: jobFiles, arguments: args ?? [],
            overrides: overrides, requester: requester, frontDoor: .http,
            project: try project.map { try Self.readProject($0, limits: limits) },
            artifacts: artifacts.map { ArtifactRequest(paths: $0, maxBytes: limits.project.artifactBytes,
                                                       totalBytes: limits.project.artifactsTotalBytes) })
        return Translation(request: request, fieldNames: fieldNames)
    }

    /// The project directory at `path`: 403 naming `project` when no root allows it, 413 over its caps, 400 when
    /// it cannot be read.
    private static func readProject(_ path: String, limits: BexyServiceConfiguration.InputLimits) throws -> ProjectCopy {
        guard !limits.projectRoots.isEmpty else {
            throw ServiceError(status: .forbidden, code: "project_not_allowed",
                               message: "`project` is disabled: no BEXY_PROJECT_ROOTS are configured", field: "project")
        }
        guard path.hasPrefix("/") else { throw ServiceError.invalidField("project", "must be an absolute host path") }
        do throws(ProjectError) {
            return try ProjectCopy.read(path, under: limits.projectRoots, limits: limits.project)
        } catch where error.kind == .outsideRoots {
            throw ServiceError(status: .forbidden, code: "project_not_allowed", message: "`project` \(error.message)",
                               field: "project")
        } catch where error.kind == .tooLarge {
            throw ServiceError(status: .contentTooLarge, code: "payload_too_large",
                               message: "`project` \(error.message)", field: "project")
        } catch {
            throw ServiceError.invalidField("project", error.message)
        }
    }

    /// 413 `payload_too_large` naming `field` (and the configuration `key` of its cap) when `bytes` > `cap`.
    static func check(_ field: String, bytes: Int, cap: Int, key: String) throws {
        guard bytes <= cap else {
            throw ServiceError(status: .contentTooLarge, code: "payload_too_large",
                               message: "`\(field)` is \(bytes) bytes, over the limit of \(cap) (\(key))", field: field)
        }
    }
}
