import FoundationEssentials
import Jail

/// One requested artifact in an execution's result: `{path, bytes, sha256, content_base64}` when it was copied,
/// `{path, bytes?, error}` when it was not (missing, a symlink, not a regular file, over a cap).
///
/// The content travels base64 in the result (the CLI and HTTP alike), bounded by the artifact caps
/// (`ProjectLimits`); `bexy exec --artifacts-dir` also writes it to files.
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

    /// The result entry of a collected artifact.
    public init(_ artifact: CollectedArtifact) {
        path = artifact.path
        bytes = artifact.size
        sha256 = artifact.contents.map { AuditRecord.sha256Hex($0) }
        contentBase64 = artifact.contents.map { Data($0).base64EncodedString() }
        error = artifact.error
    }

    /// The decoded content; nil when the artifact was not copied.
    public var content: [UInt8]? {
        contentBase64.flatMap { Data(base64Encoded: $0) }.map { Array($0) }
    }
}
