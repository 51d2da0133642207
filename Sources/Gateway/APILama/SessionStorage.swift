import GRDB
import ServiceKit

/// A browser session just opened: the cookie value (shown once) and when it expires.
public struct SessionTicket: Sendable, Equatable {
    /// `<selector>.<verifier>`: the selector finds the row, the verifier's digest is checked in constant time.
    public var cookieValue: String
    /// Unix time in milliseconds.
    public var expiresAtMilliseconds: Int64
}

extension TokenStore {
    /// Opens a session for the token called `name`, valid for `lifetime`; expired sessions are deleted on the way.
    public func openSession(name: String, lifetime: Duration) async throws -> SessionTicket {
        let selector = Secret.token(prefix: "")
        let verifier = Secret.token(prefix: "")
        let now = UTCTimestamp.nowMilliseconds()
        let expires = now + lifetime.components.seconds * 1000 + lifetime.components.attoseconds / 1_000_000_000_000_000
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now])
            try db.execute(sql: """
                INSERT INTO sessions (selector, verifier_sha256, token_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [selector, TokenDigest.hex(of: verifier), name, UTCTimestamp.now(), expires])
        }
        return SessionTicket(cookieValue: selector + "." + verifier, expiresAtMilliseconds: expires)
    }

    /// The caller behind a session cookie: `nil` when the session is unknown, expired, or its token was revoked.
    public func resolveSession(cookieValue: String) async throws -> Caller? {
        let parts = cookieValue.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let selector = String(parts[0])
        let digest = TokenDigest.hex(of: String(parts[1]))
        let session = try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.verifier_sha256, s.expires_at, t.name, t.role FROM sessions s
                JOIN tokens t ON t.name = s.token_name AND t.revoked_at IS NULL
                WHERE s.selector = ?
                """, arguments: [selector]).map { row in
                StoredSession(verifierDigest: row["verifier_sha256"], expiresAt: row["expires_at"], name: row["name"],
                              role: Role(rawValue: row["role"]) ?? .viewer)
            }
        }
        guard let session, TokenDigest.equal(session.verifierDigest, digest),
              session.expiresAt > UTCTimestamp.nowMilliseconds() else { return nil }
        return Caller(name: session.name, role: session.role, credential: .session(selector: selector))
    }

    /// A session's row, joined with its (active) token.
    private struct StoredSession: Sendable {
        var verifierDigest: String
        var expiresAt: Int64
        var name: String
        var role: Role
    }

    /// Ends the session `selector` (logout).
    public func closeSession(selector: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE selector = ?", arguments: [selector])
        }
    }
}
