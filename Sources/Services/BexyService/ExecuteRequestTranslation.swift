import Bexy
import Contracts
import Hummingbird
import Jail
import ServiceHTTP

/// From the wire body of `POST /execute` to the engine's request: the checks the engine does not make (sizes,
/// positive limits, the project's roots). Every refusal is a `RequestRefusal` naming the body's field, mapped to
/// HTTP by `ServiceError(_:)`.
extension ExecuteRequestBody {
    /// Check the sizes and values the engine does not, and build its request.
    ///
    /// - Throws: `RequestRefusal`: `payload_too_large` naming `code`, `stdin` or `files` when over its cap;
    ///   `invalid_field` for a timeout or memory limit that is not a positive number; see `readProject`.
    func request(requester: String, limits: BexyServiceConfiguration.InputLimits) throws(RequestRefusal)
        -> ExecutionRequest {
        let code = Array(code.utf8)
        try Self.check("code", bytes: code.count, cap: limits.codeBytes, key: "BEXY_MAX_CODE_BYTES")
        let stdin = stdin.map { Array($0.utf8) }
        try Self.check("stdin", bytes: stdin?.count ?? 0, cap: limits.stdinBytes, key: "BEXY_MAX_STDIN_BYTES")
        let jobFiles = try (files ?? [:]).sorted { $0.key < $1.key }.map { path, contents throws(RequestRefusal) in
            JobFile(path: try RelativePath(path, refusedAs: "files"), contents: Array(contents.utf8))
        }
        try Self.check("files", bytes: jobFiles.reduce(0) { $0 + $1.contents.count }, cap: limits.filesBytes,
                       key: "BEXY_MAX_FILES_BYTES")

        var overrides = LimitOverrides()
        var fieldNames = RequestFieldNames.http
        let timeouts = [("timeout", timeout), ("options.timeout", options?.timeout)].compactMap { field, seconds in
            seconds.map { (field, $0) }
        }
        for (field, seconds) in timeouts {
            let milliseconds: Int
            do throws(LimitOverrides.InvalidValue) {
                milliseconds = try LimitOverrides.timeoutMs(seconds: seconds)
            } catch {
                throw RequestRefusal(field: field, message: error.message)
            }
            if overrides.timeoutMs.map({ milliseconds < $0 }) ?? true {
                overrides.timeoutMs = milliseconds
                fieldNames.timeout = field
            }
        }
        if let megabytes = options?.memoryLimit {
            do throws(LimitOverrides.InvalidValue) {
                overrides.memoryBytes = try LimitOverrides.memoryBytes(mebibytes: megabytes)
            } catch {
                throw RequestRefusal(field: fieldNames.memory, message: error.message)
            }
        }
        var request = ExecutionRequest(
            code: code, profile: profile ?? "strict", stdin: .bytes(stdin ?? []), files: jobFiles, arguments: args ?? [],
            overrides: overrides, requester: requester, frontDoor: .http,
            project: try project.map { path throws(RequestRefusal) in try Self.readProject(path, limits: limits) },
            artifacts: try artifacts.map { paths throws(RequestRefusal) in
                ArtifactRequest(paths: try paths.map { path throws(RequestRefusal) in
                                    try RelativePath(path, refusedAs: "artifacts")
                                },
                                maxBytes: limits.project.artifactBytes, totalBytes: limits.project.artifactsTotalBytes)
            })
        request.fieldNames = fieldNames
        return request
    }

    /// The project directory at `path`: `project_not_allowed` (403) when no root allows it, `payload_too_large`
    /// over its caps, `invalid_field` when it cannot be read.
    private static func readProject(_ path: String, limits: BexyServiceConfiguration.InputLimits)
        throws(RequestRefusal) -> ProjectCopy {
        guard !limits.projectRoots.isEmpty else {
            throw RequestRefusal(.notAllowed, field: "project",
                                 message: "is disabled: no BEXY_PROJECT_ROOTS are configured")
        }
        guard path.hasPrefix("/") else { throw RequestRefusal(field: "project", message: "must be an absolute host path") }
        do throws(ProjectError) {
            return try ProjectCopy.read(path, under: limits.projectRoots, limits: limits.project)
        } catch where error.kind == .outsideRoots {
            throw RequestRefusal(.notAllowed, field: "project", message: error.message)
        } catch where error.kind == .tooLarge {
            throw RequestRefusal(.payloadTooLarge, field: "project", message: error.message)
        } catch {
            throw RequestRefusal(field: "project", message: error.message)
        }
    }

    /// `payload_too_large` naming `field` (and the configuration `key` of its cap) when `bytes` > `cap`.
    static func check(_ field: String, bytes: Int, cap: Int, key: String) throws(RequestRefusal) {
        guard bytes <= cap else {
            throw RequestRefusal(.payloadTooLarge, field: field,
                                 message: "is \(bytes) bytes, over the limit of \(cap) (\(key))")
        }
    }
}

extension ServiceError {
    /// The one mapping of a refused request to HTTP: 400 `invalid_field`, 413 `payload_too_large`, 403
    /// `project_not_allowed`, 404 `not_found`; the message starts with the field's name in backquotes and ends with the hint.
    init(_ refusal: RequestRefusal) {
        let status: HTTPResponse.Status = switch refusal.code {
        case .invalidField: .badRequest
        case .payloadTooLarge: .contentTooLarge
        case .notAllowed: .forbidden
        case .notFound: .notFound
        }
        self.init(status: status, code: refusal.code.rawValue, message: "`\(refusal.field)` \(refusal.explanation)",
                  field: refusal.field)
    }
}
