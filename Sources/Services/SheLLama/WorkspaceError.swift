/// Why a workspace operation was refused or failed: a stable code, the workspace-relative path at fault (as the
/// request gave it) and a message saying what to do. Mapped to an HTTP status only at the edge (`WorkspaceError+HTTP`).
public struct WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The path text is not a plain relative path (`..`, absolute, NUL, encoded separators, ...).
        case invalidPath = "invalid_path"
        /// The workspace name is not `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`.
        case invalidWorkspace = "invalid_workspace"
        /// The workspace directory does not exist.
        case workspaceNotFound = "workspace_not_found"
        /// A symbolic link lies on the path (or is the path).
        case symbolicLink = "symlink_refused"
        /// The path would resolve outside the workspace (or across a mount).
        case escapes = "path_escapes"
        /// A regular file with more than one hard link: it may be a file outside the workspace.
        case hardLink = "hard_link_refused"
        /// Neither a regular file nor a directory (a FIFO, socket or device).
        case unsupportedType = "unsupported_file_type"
        /// Nothing at the path.
        case notFound = "not_found"
        /// Something already exists at the path.
        case exists = "already_exists"
        /// A file was expected, something else is there.
        case notAFile = "not_a_file"
        /// A directory was expected (on the path or at its end), something else is there.
        case notADirectory = "not_a_directory"
        /// What the path names changed while it was being opened (a concurrent rename); trying again may work.
        case changed = "changed_meanwhile"
        /// A directory would be moved beneath itself (`rename` of `a` to `a/b`): the tree is in the way.
        case intoItself = "moves_into_itself"
        /// The directory is not empty and `recursive` was not asked for.
        case notEmpty = "directory_not_empty"
        /// One file is larger than `SHELLAMA_MAX_FILE_BYTES`.
        case fileTooLarge = "file_too_large"
        /// The workspace would hold more than `SHELLAMA_MAX_FILES` files.
        case tooManyFiles = "workspace_file_limit"
        /// The workspace would hold more than `SHELLAMA_MAX_WORKSPACE_BYTES` bytes.
        case workspaceFull = "workspace_byte_limit"
        /// Permission denied by the file system.
        case permissionDenied = "permission_denied"
        /// An unexpected system call failure.
        case io = "io_error"
    }

    public var code: Code
    /// The workspace-relative path at fault (or the workspace name for workspace errors).
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
