import FoundationEssentials

/// One requested artifact in an execution's result: `{path, bytes, sha256, content_base64}` when it was copied,
/// `{path, bytes?, error}` when it was not (missing, a symlink, not a regular file, over a cap).
///
/// The content travels base64 in the result (the CLI and HTTP alike), bounded by the engine's artifact caps;
/// `bexy exec --artifacts-dir` also writes it to files.
public struct ArtifactResult: Codable, Sendable, Equatable {
    /// The path relative to the working directory, as requested.
    public var path: String
    /// The file's size, when it is a regular file.
    public var bytes: Int?
    /// SHA-256 (hex) of `content_base64`'s bytes.
    public var sha256: String?
    public var contentBase64: String?
    /// Why it was not copied.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case path, bytes, sha256, error
        case contentBase64 = "content_base64"
    }

    public init(path: String, bytes: Int? = nil, sha256: String? = nil, contentBase64: String? = nil,
                error: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
        self.contentBase64 = contentBase64
        self.error = error
    }

    /// The decoded content; nil when the artifact was not copied.
    public var content: [UInt8]? {
        contentBase64.flatMap { Data(base64Encoded: $0) }.map { Array($0) }
    }
}
