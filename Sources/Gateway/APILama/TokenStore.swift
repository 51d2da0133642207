import FoundationEssentials
import GRDB

/// The gateway's storage: one SQLite file (WAL) holding API tokens, by name, as SHA-256 digests only, and the
/// browser sessions opened with them.
///
/// The CLI (`apilama token create|list|revoke`) and a running gateway may open the same file at once: the
/// gateway reads tokens on every request, so a revocation takes effect on the next request.
public final class TokenStore: Sendable {
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`, and its directory, and brings its schema up to date.
    public init(path: String) throws {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var configuration = Configuration()
        configuration.label = "apilama"
        configuration.busyMode = .timeout(10)  // the CLI and the server may write at the same moment
        configuration.foreignKeysEnabled = true
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try TokenSchema.migrator.migrate(pool)
    }
}

/// The database schema, as an ordered list of migrations. Never edit a shipped migration: add a new one.
enum TokenSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: tokens and sessions") { db in
            try db.execute(sql: """
                CREATE TABLE tokens (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
                    token_sha256 TEXT NOT NULL,       -- lowercase hex; the token itself is never stored
                    created_at TEXT NOT NULL,         -- UTC ISO 8601, milliseconds
                    revoked_at TEXT                   -- NULL while the token is valid
                );
                CREATE TABLE sessions (
                    selector TEXT PRIMARY KEY,        -- the cookie's public half, to find the row
                    verifier_sha256 TEXT NOT NULL,    -- SHA-256 of the cookie's secret half
                    token_name TEXT NOT NULL REFERENCES tokens(name) ON DELETE CASCADE,
                    created_at TEXT NOT NULL,
                    expires_at INTEGER NOT NULL       -- Unix time, milliseconds
                );
                CREATE INDEX sessions_by_expiry ON sessions(expires_at);
                """)
        }
        return migrator
    }
}
