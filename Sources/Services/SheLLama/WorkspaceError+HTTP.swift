import Hummingbird
import ServiceHTTP

extension WorkspaceError {
    /// The HTTP status: 400 for a malformed path or name, 403 for what the workspace refuses to follow or
    /// touch (links, escapes, special files, permissions), 404 for a missing target, 409 for one that is in the
    /// way (exists, is a file where a directory is needed or the reverse, not empty, a directory moved beneath itself), 413 for the caps, 500 for a
    /// system failure.
    public var status: HTTPResponse.Status {
        switch code {
        case .invalidPath, .invalidWorkspace: .badRequest
        case .symbolicLink, .escapes, .hardLink, .unsupportedType, .permissionDenied: .forbidden
        case .notFound, .workspaceNotFound: .notFound
        case .exists, .notAFile, .notADirectory, .notEmpty, .changed, .intoItself: .conflict
        case .fileTooLarge, .tooManyFiles, .workspaceFull: .contentTooLarge
        case .io: .internalServerError
        }
    }

    /// The service error at the edge; `field` is the request field that named the path.
    public func serviceError(field: String) -> ServiceError {
        ServiceError(status: status, code: code.rawValue, message: message,
                     field: code == .invalidWorkspace || code == .workspaceNotFound ? "workspace" : field)
    }
}
