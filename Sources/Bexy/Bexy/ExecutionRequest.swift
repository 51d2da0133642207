import Contracts
import Jail

/// One request to run Python code, from any front door (CLI, HTTP), or a command in a workspace
/// (`init(workspace:...)`).
public struct ExecutionRequest: Sendable {
    /// The program's source, run as `main.py` in the working directory; for a workspace command, the command's
    /// text (what the audit record keeps).
    public var code: [UInt8]
    /// Profile name; `strict` unless asked otherwise.
    public var profile: String
    /// The program's stdin: bytes, or a pipe the front door feeds while the job runs (`bexy exec`).
    public var stdin: JobInput
    /// Extra files placed beside `main.py`.
    public var files: [JobFile]
    /// A project directory already read (`ProjectCopy`), placed in the working directory under `main.py` and
    /// `files`; nil for none.
    public var project: ProjectCopy?
    /// Files copied out of the working directory after the job, with their caps; nil for none.
    public var artifacts: ArtifactRequest?
    /// sys.argv[1:].
    public var arguments: [String]
    /// Tightening of the profile's limits (never loosening).
    public var overrides: LimitOverrides
    /// Who asked: recorded in the audit trail.
    public var requester: String
    public var frontDoor: AuditRecord.FrontDoor
    /// What the front door calls the fields a refusal names; defaults to the front door's own names.
    public var fieldNames: RequestFieldNames
    /// A command run in a workspace instead of `code` (the profile must have a workspace mount point); nil: the
    /// request runs Python.
    public var workspace: WorkspaceCommand?

    /// The file name the code is written to inside the job.
    public static let scriptName = "main.py"
    /// `scriptName` as a path beneath the working directory.
    public static let scriptPath = RelativePath(stringLiteral: scriptName)

    public init(code: [UInt8], profile: String = "strict", stdin: JobInput = .empty, files: [JobFile] = [],
                arguments: [String] = [], overrides: LimitOverrides = LimitOverrides(), requester: String,
                frontDoor: AuditRecord.FrontDoor, project: ProjectCopy? = nil, artifacts: ArtifactRequest? = nil) {
        self.code = code
        self.profile = profile
        self.stdin = stdin
        self.files = files
        self.arguments = arguments
        self.overrides = overrides
        self.requester = requester
        self.frontDoor = frontDoor
        self.fieldNames = frontDoor == .cli ? .cli : .http
        self.project = project
        self.artifacts = artifacts
    }

    /// A command in a workspace: no Python, no files; `code` is the command's text.
    public init(workspace command: WorkspaceCommand, profile: String = WorkspaceCommand.defaultProfile,
                stdin: JobInput = .empty, overrides: LimitOverrides = LimitOverrides(), requester: String,
                frontDoor: AuditRecord.FrontDoor) {
        self.init(code: Array(command.text.utf8), profile: profile, stdin: stdin, overrides: overrides,
                  requester: requester, frontDoor: frontDoor)
        workspace = command
    }
}
