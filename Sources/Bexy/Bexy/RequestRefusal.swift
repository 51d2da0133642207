import Jail

/// Why a request was refused before anything ran: the one error type for a bad request, from every check a front
/// door or the engine makes. The front door maps it once: to an HTTP status in the BEXY service, to exit code 2
/// and one line on the CLI.
public struct RequestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal this is; the HTTP status follows from it.
    public enum Code: String, Sendable {
        /// A field's value is wrong (400).
        case invalidField = "invalid_field"
        /// An input is over its size cap (413).
        case payloadTooLarge = "payload_too_large"
        /// An input asks for something this host does not allow (403).
        case notAllowed = "project_not_allowed"
        /// What a field names does not exist (404), e.g. a workspace.
        case notFound = "not_found"
    }

    public var code: Code
    /// The field at fault, as the front door names it (`options.timeout`, `--timeout`, `args[2]`).
    public var field: String
    /// What is wrong, without the field's name: `60 s exceeds the strict profile's maximum of 10 s`.
    public var message: String
    /// What would be accepted instead, if anything: `the standard profile allows up to 30 s`.
    public var hint: String?

    public init(_ code: Code = .invalidField, field: String, message: String, hint: String? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// The message followed by the hint: `60 s exceeds ...; the standard profile allows up to 30 s`.
    public var explanation: String {
        hint.map { "\(message); \($0)" } ?? message
    }

    /// `field: message; hint`, the CLI's one line.
    public var description: String { "\(field): \(explanation)" }
}

/// The names a front door gives the request fields the engine checks, so that a refusal names what the caller
/// wrote.
public struct RequestFieldNames: Sendable, Equatable {
    public var profile: String
    public var files: String
    public var artifacts: String
    /// The program's arguments; a refusal names one as `<arguments>[i]`.
    public var arguments: String
    public var timeout: String
    public var memory: String

    public init(profile: String, files: String, artifacts: String, arguments: String, timeout: String,
                memory: String) {
        self.profile = profile
        self.files = files
        self.artifacts = artifacts
        self.arguments = arguments
        self.timeout = timeout
        self.memory = memory
    }

    /// The `POST /execute` body's names.
    public static let http = RequestFieldNames(profile: "profile", files: "files", artifacts: "artifacts",
                                               arguments: "args", timeout: "timeout", memory: "options.memory_limit")
    /// `bexy exec`'s options.
    public static let cli = RequestFieldNames(profile: "--profile", files: "--file", artifacts: "--artifact",
                                              arguments: "ARGS", timeout: "--timeout", memory: "--memory")

    /// The name of the request field `field` came from; overrides no front door sets keep their own name.
    func name(of field: LimitOverrides.Field) -> String {
        switch field {
        case .timeoutMs: timeout
        case .memoryBytes: memory
        default: field.rawValue
        }
    }
}

extension RelativePath {
    /// `path` as a path beneath the working directory, for a front door: an unsafe one is refused naming `field`.
    public init(_ path: String, refusedAs field: String) throws(RequestRefusal) {
        do throws(JailError) {
            try self.init(path)
        } catch {
            throw RequestRefusal(field: field, message: error.message)
        }
    }
}
