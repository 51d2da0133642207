import Contracts
import FoundationEssentials
import Jail

/// What `bexy exec` sends a local BEXY service to run its job there (the hand-off; see `HandoffFrame` for the
/// conversation): the checked request as the CLI built it, and the settings the CLI would have run it with, so that
/// the service takes the job only when it would run it the same way.
///
/// The caller's identity is not in it: the service takes the uid from the socket (SO_PEERCRED). Only a root
/// caller's `sudoUser` is believed, as the CLI itself records `cli:$SUDO_USER`.
public struct HandoffRequest: Codable, Sendable, Equatable {
    /// The program's source.
    public var code: Data
    public var profile: String
    /// sys.argv[1:].
    public var arguments: [String]
    /// `--file` copies: path beneath the working directory, contents.
    public var files: [File]
    public var timeoutMs: Int?
    public var memoryBytes: Int?
    /// True when a descriptor for the job's stdin comes with the request (else the job's stdin is empty).
    public var stdin: Bool
    /// Send the job's output as it is produced (false for `--json`, which prints only the result).
    public var streamOutput: Bool
    /// `SUDO_USER` of the caller's environment, believed only from uid 0.
    public var sudoUser: String?
    /// The settings the CLI runs jobs with; the service serves only a CLI whose settings match its own.
    public var settings: HandoffSettings

    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var contents: Data

        public init(path: String, contents: Data) {
            self.path = path
            self.contents = contents
        }
    }

    /// A request that cannot be handed off runs cold in the CLI: a project copy and artifacts are not carried.
    public static func canCarry(_ request: ExecutionRequest) -> Bool {
        request.project == nil && request.artifacts == nil && request.workspace == nil
    }

    /// `request` (which `canCarry`) as the CLI hands it off.
    public init(_ request: ExecutionRequest, stdin: Bool, streamOutput: Bool, sudoUser: String?,
                settings: HandoffSettings) {
        code = Data(request.code)
        profile = request.profile
        arguments = request.arguments
        files = request.files.map { File(path: $0.path.string, contents: Data($0.contents)) }
        timeoutMs = request.overrides.timeoutMs
        memoryBytes = request.overrides.memoryBytes
        self.stdin = stdin
        self.streamOutput = streamOutput
        self.sudoUser = sudoUser
        self.settings = settings
    }

    /// The execution request the service runs, with the CLI's front door and field names.
    ///
    /// - Parameters:
    ///   - requester: `cli:<user>` of the socket's peer.
    ///   - stdin: the job's input (a pipe the service feeds from the passed descriptor, or empty).
    /// - Throws: `RequestRefusal` for a file path the CLI would have refused.
    public func executionRequest(requester: String, stdin: JobInput) throws(RequestRefusal) -> ExecutionRequest {
        var jobFiles: [JobFile] = []
        for file in files {
            jobFiles.append(JobFile(path: try RelativePath(file.path, refusedAs: "--file"), contents: Array(file.contents)))
        }
        return ExecutionRequest(code: Array(code), profile: profile, stdin: stdin, files: jobFiles, arguments: arguments,
                                overrides: LimitOverrides(timeoutMs: timeoutMs, memoryBytes: memoryBytes),
                                requester: requester, frontDoor: .cli)
    }
}

/// The settings that decide how a job runs and where its audit record goes: a CLI and a service whose settings
/// differ (another profiles directory, another audit spool, another stdin cap) do not hand jobs to each other.
public struct HandoffSettings: Codable, Sendable, Equatable {
    public var profilesDirectory: String
    public var auditSpoolPath: String
    public var stdinBytes: Int

    public init(_ settings: BexySettings) {
        profilesDirectory = settings.profilesDirectory
        auditSpoolPath = settings.auditSpoolPath
        stdinBytes = settings.stdinBytes
    }
}
