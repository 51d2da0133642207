import GRDB
import ServiceKit

/// A token as listed: never its secret.
public struct TokenInfo: Sendable, Equatable, Encodable {
    /// The token's name.
    public var name: String
    /// The token's role.
    public var role: Role
    /// When it was created (UTC ISO 8601).
    public var createdAt: String
    /// When it was revoked, or `nil` while it is valid.
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case name, role
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

extension TokenStore {
    /// The name `PYLAMA_API_TOKEN` is registered under.
    public static let defaultTokenName = "default"

    /// Creates a token called `name` with `role` and returns it: the only time it is ever shown.
    ///
    /// A revoked token's name may be reused; an active one's may not (`TokenStoreError.nameTaken`).
    public func create(name: String, role: Role) async throws -> String {
        guard Self.isValidName(name) else { throw TokenStoreError.invalidName(name) }
        guard name != Self.defaultTokenName else { throw TokenStoreError.reservedName(name) }
        let token = Secret.token(prefix: "plm_")
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT revoked_at IS NULL FROM tokens WHERE name = ?", arguments: [name]) == true {
                throw TokenStoreError.nameTaken(name)
            }
            try Self.replace(db, name: name, role: role, token: token)
        }
        return token
    }

    /// Registers `token` (`PYLAMA_API_TOKEN`) as the admin token `default`.
    ///
    /// A token already registered is left as it is, revoked or not, so a revocation survives restarts; a different
    /// token (the `.env` value changed) replaces it and ends the old one's sessions.
    public func registerDefault(token: String) async throws {
        let digest = TokenDigest.hex(of: token)
        try await pool.write { db in
            let stored = try String.fetchOne(db, sql: "SELECT token_sha256 FROM tokens WHERE name = ?",
                                             arguments: [Self.defaultTokenName])
            if let stored, TokenDigest.equal(stored, digest) { return }
            try Self.replace(db, name: Self.defaultTokenName, role: .admin, token: token)
        }
    }

    /// Every token, active and revoked, by name.
    public func list() async throws -> [TokenInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name").map { row in
                TokenInfo(name: row["name"], role: Role(rawValue: row["role"]) ?? .viewer,
                          createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Revokes the token called `name` and ends its sessions; revoking a revoked token changes nothing.
    public func revoke(name: String) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE name = ?", arguments: [name]) != nil else {
                throw TokenStoreError.unknownName(name)
            }
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                           arguments: [UTCTimestamp.now(), name])
            try db.execute(sql: "DELETE FROM sessions WHERE token_name = ?", arguments: [name])
        }
    }

    /// The name and role of the active token `token`, or `nil`.
    ///
    /// Its digest is compared with every active token's in constant time, so neither the answer's timing nor an
    /// index lookup tells how close a guess came.
    public func authenticate(token: String) async throws -> (name: String, role: Role)? {
        let digest = TokenDigest.hex(of: token)
        let active = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, token_sha256 FROM tokens WHERE revoked_at IS NULL").map { row in
                ActiveToken(name: row["name"], role: Role(rawValue: row["role"]) ?? .viewer, digest: row["token_sha256"])
            }
        }
        var match: (name: String, role: Role)?
        for token in active where TokenDigest.equal(token.digest, digest) {
            match = (token.name, token.role)
        }
        return match
    }

    /// 1-64 characters of letters, digits, `.`, `_`, `-`, starting with a letter or digit: safe in a header.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        return isAlphanumeric(bytes[0]) && bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// An active token's row.
    private struct ActiveToken: Sendable {
        var name: String
        var role: Role
        var digest: String
    }

    /// Deletes any token called `name` (its sessions go with it) and inserts the new one.
    private static func replace(_ db: Database, name: String, role: Role, token: String) throws {
        try db.execute(sql: "DELETE FROM tokens WHERE name = ?", arguments: [name])
        try db.execute(sql: "INSERT INTO tokens (name, role, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [name, role.rawValue, TokenDigest.hex(of: token), UTCTimestamp.now()])
    }
}
