import FoundationEssentials
import GRDB

/// LogLama's storage: one SQLite file in WAL mode holding the logs (with a full-text index) and the audit trail.
///
/// Reads run concurrently on a pool of reader connections; writes are serialized on the one writer connection,
/// which is what makes each audit append (read the last hash, insert) atomic. Logs are committed with
/// `synchronous=NORMAL` (durable across a crash of the process); audit batches with `synchronous=FULL`
/// (durable across a power loss too) before the sender is told they are stored.
public final class LogLamaStore: Sendable {
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`, and its directory, and brings its schema up to date.
    ///
    /// Throws if the directory cannot be created or the file is not a database SQLite can open.
    public init(path: String) throws {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.label = "loglama"
        configuration.busyMode = .timeout(10)  // another process (the CLI, a backup) may hold the lock briefly
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
    }

    /// Checks that the database answers a trivial query.
    func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
