import Contracts
import Crypto
import FoundationEssentials
import Jail

// The engine's types as the wire types carry them (Contracts knows nothing of Jail).

extension ExecutionLimits {
    /// The wire form of the limits a job runs under.
    public init(_ limits: ResourceLimits) {
        self.init(wallTimeMs: limits.wallTimeMs, cpuTimeMs: limits.cpuTimeMs, memoryBytes: limits.memoryBytes,
                  pids: limits.pids, cpus: limits.cpus, openFiles: limits.openFiles,
                  fileSizeBytes: limits.fileSizeBytes, stackBytes: limits.stackBytes, stdoutBytes: limits.stdoutBytes,
                  stderrBytes: limits.stderrBytes, tmpBytes: limits.tmpBytes, workdirBytes: limits.workdirBytes)
    }
}

extension Contracts.SandboxKind {
    /// How the sandbox that ran a job was made.
    public init(_ kind: Jail.SandboxKind) {
        switch kind {
        case .cold: self = .cold
        case .warm: self = .warm
        }
    }
}

extension ArtifactResult {
    /// The result entry of a collected artifact: its content base64 with its SHA-256, or why it was not copied.
    public init(_ artifact: CollectedArtifact) {
        self.init(path: artifact.path, bytes: artifact.size, sha256: artifact.contents.map { AuditRecord.sha256Hex($0) },
                  contentBase64: artifact.contents.map { Data($0).base64EncodedString() }, error: artifact.error)
    }
}

extension AuditRecord {
    /// SHA-256 of `code` as 64 lowercase hex digits, for `code_sha256`.
    public static func sha256Hex(_ code: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(code))
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in hasher.finalize() {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
