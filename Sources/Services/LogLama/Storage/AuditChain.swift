import Contracts
import Crypto
import FoundationEssentials

/// The audit trail's tamper evidence: each stored record carries `hash = sha256(prev_hash + record)`, where
/// `record` is the record's canonical JSON and `prev_hash` the hash of the record stored before it (64 zeros for
/// the first). Changing, removing or reordering any stored record breaks the chain from that record on.
public enum AuditChain {
    /// The `prev_hash` of the first record: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical encoding the hash covers: `JSONEncoder` with sorted keys, compact, UTF-8.
    public static func canonicalJSON(_ record: AuditRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    /// `sha256(previousHash + canonicalRecord)` as 64 lowercase hex digits.
    public static func hash(previousHash: String, canonicalRecord: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(previousHash.utf8))
        hasher.update(data: Array(canonicalRecord.utf8))
        var hex = ""
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex += byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        return hex
    }
}
