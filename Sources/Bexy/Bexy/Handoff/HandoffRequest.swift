import Jail

/// What `bexy exec` sends a local BEXY service to run its job there (the hand-off; see `HandoffFrame` for the
/// conversation): the checked request as the CLI built it, and the settings the CLI would have run it with, so that
/// the service takes the job only when it would run it the same way.
///
/// The caller's identity is not in it: the service takes the uid from the socket (SO_PEERCRED). Only a root
/// caller's `sudoUser` is believed, as the CLI itself records `cli:$SUDO_USER`.
public struct HandoffRequest: Sendable, Equatable {
    /// The program's source.
    public var code: [UInt8]
    public var profile: String
    /// sys.argv[1:].
    public var arguments: [String]
    /// `--file` copies: path beneath the working directory, contents.
    public var files: [File]
    public var timeoutMs: Int?
    public var memoryBytes: Int?
    /// True when a descriptor for the job's stdin comes with the request (else the job's stdin is empty).
    public var stdin: Bool
    /// `--json`: the output is only in the result (no output frames), and the report is the result's JSON.
    public var json: Bool
    /// `SUDO_USER` of the caller's environment, believed only from uid 0.
    public var sudoUser: String?
    /// The settings the CLI runs jobs with; the service serves only a CLI whose settings match its own.
    public var settings: HandoffSettings

    public struct File: Sendable, Equatable {
        public var path: String
        public var contents: [UInt8]

        public init(path: String, contents: [UInt8]) {
            self.path = path
            self.contents = contents
        }
    }

    /// The layout's version: a service reading another declines, and the CLI runs the job cold.
    static let version: UInt8 = 1

    /// A request that cannot be handed off runs cold in the CLI: a project copy and artifacts are not carried.
    public static func canCarry(_ request: ExecutionRequest) -> Bool {
        request.project == nil && request.artifacts == nil && request.workspace == nil
    }

    /// `request` (which `canCarry`) as the CLI hands it off.
    public init(_ request: ExecutionRequest, stdin: Bool, json: Bool, sudoUser: String?, settings: HandoffSettings) {
        code = request.code
        profile = request.profile
        arguments = request.arguments
        files = request.files.map { File(path: $0.path.string, contents: $0.contents) }
        timeoutMs = request.overrides.timeoutMs
        memoryBytes = request.overrides.memoryBytes
        self.stdin = stdin
        self.json = json
        self.sudoUser = sudoUser
        self.settings = settings
    }

    /// The request as sent (`HandoffWriter`'s layout).
    public var encoded: [UInt8] {
        var writer = HandoffWriter()
        writer.byte(Self.version)
        writer.data(code)
        writer.text(profile)
        writer.texts(arguments)
        writer.integer(files.count)
        for file in files {
            writer.text(file.path)
            writer.data(file.contents)
        }
        writer.optionalInteger(timeoutMs)
        writer.optionalInteger(memoryBytes)
        writer.flag(stdin)
        writer.flag(json)
        writer.optionalText(sudoUser)
        writer.text(settings.profilesDirectory)
        writer.text(settings.auditSpoolPath)
        writer.integer(settings.stdinBytes)
        return writer.bytes
    }

    /// A request read back; nil if `bytes` are not one (another version, or malformed).
    public init?(decoding bytes: [UInt8]) {
        var reader = HandoffReader(bytes)
        do throws(HandoffReader.Malformed) {
            guard try reader.byte() == Self.version else { return nil }
            code = try reader.data()
            profile = try reader.text()
            arguments = try reader.texts()
            let count = try reader.integer()
            guard count >= 0, count <= bytes.count else { return nil }
            files = try (0..<count).map { _ throws(HandoffReader.Malformed) in
                File(path: try reader.text(), contents: try reader.data())
            }
            timeoutMs = try reader.optionalInteger()
            memoryBytes = try reader.optionalInteger()
            stdin = try reader.flag()
            json = try reader.flag()
            sudoUser = try reader.optionalText()
            settings = HandoffSettings(profilesDirectory: try reader.text(), auditSpoolPath: try reader.text(),
                                       stdinBytes: try reader.integer())
        } catch {
            return nil
        }
        guard reader.atEnd else { return nil }
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
            jobFiles.append(JobFile(path: try RelativePath(file.path, refusedAs: "--file"), contents: file.contents))
        }
        return ExecutionRequest(code: code, profile: profile, stdin: stdin, files: jobFiles, arguments: arguments,
                                overrides: LimitOverrides(timeoutMs: timeoutMs, memoryBytes: memoryBytes),
                                requester: requester, frontDoor: .cli)
    }
}

/// The settings that decide how a job runs and where its audit record goes: a CLI and a service whose settings
/// differ (another profiles directory, another audit spool, another stdin cap) do not hand jobs to each other.
public struct HandoffSettings: Sendable, Equatable {
    public var profilesDirectory: String
    public var auditSpoolPath: String
    public var stdinBytes: Int

    public init(_ settings: BexySettings) {
        self.init(profilesDirectory: settings.profilesDirectory, auditSpoolPath: settings.auditSpoolPath,
                  stdinBytes: settings.stdinBytes)
    }

    public init(profilesDirectory: String, auditSpoolPath: String, stdinBytes: Int) {
        self.profilesDirectory = profilesDirectory
        self.auditSpoolPath = auditSpoolPath
        self.stdinBytes = stdinBytes
    }
}
