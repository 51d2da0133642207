import CSQLite
import Contracts
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable local audit trail: a SQLite file of `AuditRecord`s, one per execution, waiting to be forwarded.
///
/// Write-ahead: before a job's code runs, its record is stored with status `started` (`begin`), stamped with the
/// writing process (`SpoolWriter`); when the job ends, `finish` replaces it with the final record (same id, a new
/// `seq`, so the forwarder ships it). A process killed in between leaves `started`: every open of the spool (a
/// `bexy exec`, a `bexy-server` start) marks the `started` records whose writer is certainly gone `interrupted`,
/// under the directory's lock. So every execution that ran any of its code has a record, whoever was killed.
/// `started` records are never forwarded: LogLama receives each execution once, in its final state.
///
/// Several `bexy exec` processes write to the same file at once, so the database runs in WAL mode with
/// `synchronous=FULL` (a record is on disk when `begin`, `finish` or `append` returns) and a 5 s busy timeout.
/// Each record is stored as its JSON (the wire contract) next to a few indexed columns; `forwarded_at` is set once
/// the LogLama forwarder has shipped it. One `AuditSpool` may be shared between threads: calls are serialized.
///
/// Schema (table `audit_records`): `seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, time TEXT,
/// status TEXT, profile TEXT, record TEXT NOT NULL, forwarded_at TEXT NULL, writer TEXT NULL` (`writer`: the
/// process of a `started` record, see `SpoolWriter`; added to older files when they are opened).
public final class AuditSpool: @unchecked Sendable {
    /// The database file.
    public let path: String
    // Every use of `db` happens inside `lock`; that is what makes the class Sendable.
    private let db: OpaquePointer
    private let lock = Mutex(())
    /// The ids of the `started` records this open marked `interrupted` (their writer had died), oldest first.
    public private(set) var interruptedAtOpen: [String] = []

    /// Where BEXY keeps its state unless configured otherwise: `/var/lib/bexy`.
    public static let defaultStateDirectory = "/var/lib/bexy"

    /// `<stateDirectory>/audit.db`: the spool of the state directory `BEXY_STATE_DIR` names in `settings` (a front
    /// door's configuration values), `defaultStateDirectory` when it is unset or empty.
    public static func path(settings: [String: String]) -> String {
        let directory = settings["BEXY_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultStateDirectory
        return directory + "/audit.db"
    }

    /// The spool of the default state directory.
    public static var defaultPath: String { path(settings: [:]) }

    /// Opens (creating if needed) the spool at `path`; a missing parent directory is created with mode 0700.
    ///
    /// - Throws: `AuditSpoolError` if the directory or database cannot be created, or WAL mode is unavailable.
    public init(path: String = AuditSpool.defaultPath) throws(AuditSpoolError) {
        self.path = path
        try AuditSpool.createParentDirectory(of: path)

        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw AuditSpoolError(operation: "open", message: message, code: rc, path: path)
        }
        db = handle
        // On failure deinit closes the handle. Under the directory's lock: SQLite does not wait on its busy handler
        // for `PRAGMA journal_mode=WAL`, so two processes (or threads) making a fresh file at once could see
        // "database is locked"; serialising the few set-up statements makes the first open race-free.
        var interrupted: [String] = []
        try AuditSpool.whileHoldingDirectoryLock(of: path) { () throws(AuditSpoolError) in
            try configure()
            interrupted = try markInterrupted()
        }
        interruptedAtOpen = interrupted
    }

    deinit {
        sqlite3_close_v2(db)
    }

    /// Appends the final `record` of an execution that never started (e.g. cancelled in the queue) and returns once
    /// it is durable. A record whose `id` is already stored is ignored.
    public func append(_ record: AuditRecord) throws(AuditSpoolError) {
        try lock.withLock { _ throws(AuditSpoolError) in
            try store(record, writer: nil, verb: "INSERT OR IGNORE", operation: "append")
        }
    }

    /// Writes `record` ahead of its job, with status `started` whatever `record.status` says, as written by this
    /// process, and returns once it is durable: only then may the job's code run.
    ///
    /// - Throws: `AuditSpoolError` if it cannot be made durable, or the id is already stored (the job must not run).
    public func begin(_ record: AuditRecord) throws(AuditSpoolError) {
        try begin(record, as: SpoolWriter.current)
    }

    /// `begin` as written by `writer` (tests stand in for a process that died).
    func begin(_ record: AuditRecord, as writer: SpoolWriter?) throws(AuditSpoolError) {
        var record = record
        record.status = .started
        try lock.withLock { _ throws(AuditSpoolError) in
            try store(record, writer: writer?.text, verb: "INSERT", operation: "begin")
        }
    }

    /// Replaces the record with `record.id` (written by `begin`, or marked `interrupted` meanwhile) by the final
    /// `record`, under a new sequence number so that the forwarder ships it; returns once it is durable.
    public func finish(_ record: AuditRecord) throws(AuditSpoolError) {
        try lock.withLock { _ throws(AuditSpoolError) in
            try store(record, writer: nil, verb: "INSERT OR REPLACE", operation: "finish")
        }
    }

    /// Marks `interrupted` every `started` record whose writer is certainly gone, in one transaction; returns their
    /// ids, oldest first. Run by every open, under the directory lock (so two sweeps never overlap).
    private func markInterrupted() throws(AuditSpoolError) -> [String] {
        // Which writers are gone is decided first; a record without a (readable) writer is left alone.
        let goneIDs = try withStatement("SELECT id, writer FROM audit_records WHERE status = ?") {
            statement throws(AuditSpoolError) in
            try bind(statement, 1, ExecutionStatus.started.rawValue)
            var ids: Set<String> = []
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { break }
                try check(rc, operation: "find started records", allowing: SQLITE_ROW)
                guard let id = sqlite3_column_text(statement, 0).map({ String(cString: $0) }),
                      let writer = sqlite3_column_text(statement, 1).map({ String(cString: $0) }),
                      SpoolWriter(text: writer)?.isGone == true else { continue }
                ids.insert(id)
            }
            return ids
        }
        guard !goneIDs.isEmpty else { return [] }
        let orphans = try withStatement("SELECT seq, record FROM audit_records WHERE status = ? ORDER BY seq ASC") {
            statement throws(AuditSpoolError) in
            try bind(statement, 1, ExecutionStatus.started.rawValue)
            return try rows(statement, operation: "read started records").map(\.record)
        }.filter { goneIDs.contains($0.id) }
        guard !orphans.isEmpty else { return [] }
        try execute("BEGIN IMMEDIATE")
        do throws(AuditSpoolError) {
            for var record in orphans {
                record.status = .interrupted
                try store(record, writer: nil, verb: "INSERT OR REPLACE", operation: "mark interrupted")
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return orphans.map(\.id)
    }

    /// Runs `<verb> INTO audit_records ...` for `record` (callers hold `lock`, or run from `init`).
    private func store(_ record: AuditRecord, writer: String?, verb: String, operation: String)
        throws(AuditSpoolError) {
        let json = try encode(record)
        try withStatement(
            "\(verb) INTO audit_records (id, time, status, profile, record, writer) VALUES (?, ?, ?, ?, ?, ?)"
        ) { statement throws(AuditSpoolError) in
            try bind(statement, 1, record.id)
            try bind(statement, 2, record.time)
            try bind(statement, 3, record.status.rawValue)
            try bind(statement, 4, record.profile)
            try bind(statement, 5, json)
            if let writer { try bind(statement, 6, writer) }
            try stepToEnd(statement, operation: operation)
        }
    }

    /// The newest `limit` records, newest first, optionally only those with `status`.
    public func list(limit: Int, status: ExecutionStatus? = nil) throws(AuditSpoolError) -> [AuditRecord] {
        try lock.withLock { _ throws(AuditSpoolError) in
            let sql = status == nil
                ? "SELECT seq, record FROM audit_records ORDER BY seq DESC LIMIT ?"
                : "SELECT seq, record FROM audit_records WHERE status = ? ORDER BY seq DESC LIMIT ?"
            return try withStatement(sql) { statement throws(AuditSpoolError) in
                var index: Int32 = 1
                if let status {
                    try bind(statement, index, status.rawValue)
                    index += 1
                }
                try bind(statement, index, Int64(max(0, limit)))
                return try rows(statement, operation: "list").map(\.record)
            }
        }
    }

    /// The oldest `limit` final records not yet forwarded, oldest first, with their sequence numbers (`started`
    /// records wait for their final state).
    public func pending(limit: Int) throws(AuditSpoolError) -> [(seq: Int64, record: AuditRecord)] {
        try lock.withLock { _ throws(AuditSpoolError) in
            try withStatement(
                "SELECT seq, record FROM audit_records WHERE forwarded_at IS NULL AND status != 'started' "
                    + "ORDER BY seq ASC LIMIT ?"
            ) { statement throws(AuditSpoolError) in
                try bind(statement, 1, Int64(max(0, limit)))
                return try rows(statement, operation: "pending")
            }
        }
    }

    /// Marks every final record with a sequence number up to and including `seq` as forwarded (now).
    ///
    /// - Returns: how many records were newly marked.
    @discardableResult
    public func markForwarded(upTo seq: Int64) throws(AuditSpoolError) -> Int {
        try lock.withLock { _ throws(AuditSpoolError) in
            try withStatement(
                "UPDATE audit_records SET forwarded_at = ? WHERE seq <= ? AND forwarded_at IS NULL AND status != 'started'"
            ) { statement throws(AuditSpoolError) in
                try bind(statement, 1, AuditRecord.timestamp())
                try bind(statement, 2, seq)
                try stepToEnd(statement, operation: "mark forwarded")
                return Int(sqlite3_changes(db))
            }
        }
    }

    // MARK: - Setup

    /// Runs `body` holding an exclusive `flock(2)` on the spool's directory (released when the fd closes). Without a
    /// directory fd (a relative path's `.`, or a directory that cannot be opened) `body` runs unlocked.
    private static func whileHoldingDirectoryLock(of path: String,
                                                  _ body: () throws(AuditSpoolError) -> Void) throws(AuditSpoolError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.flatMap { $0.isEmpty ? "/" : $0 } ?? "."
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        try body()
    }

    private static func createParentDirectory(of path: String) throws(AuditSpoolError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        guard !directory.isEmpty else { return }
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/\(component)"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                let message = "cannot create directory \(prefix): \(String(cString: strerror(errno)))"
                throw AuditSpoolError(operation: "create directory", message: message, code: nil, path: path)
            }
        }
    }

    private func configure() throws(AuditSpoolError) {
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
        try check(bexy_sqlite_skip_checkpoint_on_close(db), operation: "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE")
        let mode = try withStatement("PRAGMA journal_mode=WAL") { statement throws(AuditSpoolError) in
            try check(sqlite3_step(statement), operation: "PRAGMA journal_mode=WAL", allowing: SQLITE_ROW)
            return sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? ""
        }
        guard mode.lowercased() == "wal" else {
            throw AuditSpoolError(operation: "PRAGMA journal_mode=WAL",
                                  message: "the file system does not support WAL (journal mode is \(mode))",
                                  code: nil, path: path)
        }
        try execute("PRAGMA synchronous=FULL")
        // Checkpoint every 64 WAL pages (about a dozen records) instead of 1000: checkpoints are not run at close
        // (above), and every `bexy exec` opening the spool reads the whole WAL: at 1000 pages that cost ~3 ms.
        try execute("PRAGMA wal_autocheckpoint=64")
        try execute("""
            CREATE TABLE IF NOT EXISTS audit_records (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT UNIQUE NOT NULL,
                time TEXT,
                status TEXT,
                profile TEXT,
                record TEXT NOT NULL,
                forwarded_at TEXT NULL,
                writer TEXT NULL
            )
            """)
        let hasWriter = try withStatement("SELECT 1 FROM pragma_table_info('audit_records') WHERE name = 'writer'") {
            statement throws(AuditSpoolError) in sqlite3_step(statement) == SQLITE_ROW
        }
        if !hasWriter { try execute("ALTER TABLE audit_records ADD COLUMN writer TEXT NULL") }
        try execute("CREATE INDEX IF NOT EXISTS audit_records_status ON audit_records (status, seq)")
        try execute("CREATE INDEX IF NOT EXISTS audit_records_pending ON audit_records (seq) WHERE forwarded_at IS NULL")
    }

    // MARK: - SQLite helpers (callers hold `lock`, or run from `init`)

    private func execute(_ sql: String) throws(AuditSpoolError) {
        try withStatement(sql) { statement throws(AuditSpoolError) in
            try stepToEnd(statement, operation: sql)
        }
    }

    /// Prepares `sql`, runs `body`, and finalizes the statement whatever happens.
    private func withStatement<T>(_ sql: String, _ body: (OpaquePointer) throws(AuditSpoolError) -> T)
        throws(AuditSpoolError) -> T {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v2(db, sql, -1, &statement, nil), operation: "prepare")
        guard let statement else {
            throw AuditSpoolError(operation: "prepare", message: "empty statement", code: nil, path: path)
        }
        defer { sqlite3_finalize(statement) }
        return try body(statement)
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String) throws(AuditSpoolError) {
        try check(sqlite3_bind_text(statement, index, text, -1, sqliteTransient), operation: "bind")
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ number: Int64) throws(AuditSpoolError) {
        try check(sqlite3_bind_int64(statement, index, number), operation: "bind")
    }

    private func stepToEnd(_ statement: OpaquePointer, operation: String) throws(AuditSpoolError) {
        var rc: Int32
        repeat {
            rc = sqlite3_step(statement)
        } while rc == SQLITE_ROW
        try check(rc, operation: operation, allowing: SQLITE_DONE)
    }

    /// Steps through `SELECT seq, record ...` and decodes every row.
    private func rows(_ statement: OpaquePointer, operation: String)
        throws(AuditSpoolError) -> [(seq: Int64, record: AuditRecord)] {
        var result: [(seq: Int64, record: AuditRecord)] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            try check(rc, operation: operation, allowing: SQLITE_ROW)
            let seq = sqlite3_column_int64(statement, 0)
            let count = Int(sqlite3_column_bytes(statement, 1))
            let bytes = sqlite3_column_blob(statement, 1).map {
                Data(bytes: $0, count: count)
            } ?? Data()
            do {
                result.append((seq, try JSONDecoder().decode(AuditRecord.self, from: bytes)))
            } catch {
                let reason = ErrorText.describe(error)
                throw AuditSpoolError(operation: operation, message: "record seq \(seq) is not valid: \(reason)",
                                      code: nil, path: path)
            }
        }
        return result
    }

    private func encode(_ record: AuditRecord) throws(AuditSpoolError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(record), as: UTF8.self)
        } catch {
            throw AuditSpoolError(operation: "encode", message: "\(error)", code: nil, path: path)
        }
    }

    private func check(_ rc: Int32, operation: String, allowing expected: Int32 = SQLITE_OK) throws(AuditSpoolError) {
        guard rc != expected else { return }
        throw AuditSpoolError(operation: operation, message: String(cString: sqlite3_errmsg(db)), code: rc, path: path)
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies bound text before the call returns (the C macro does not import).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The one error type of the audit spool: what failed, SQLite's message, and the database path.
public struct AuditSpoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the spool was doing, e.g. `"open"`, `"append"`, `"PRAGMA journal_mode=WAL"`.
    public var operation: String
    /// SQLite's error message (or the file system's, for the directory).
    public var message: String
    /// SQLite's (extended) result code, if the error came from SQLite.
    public var code: Int32?
    /// The database file.
    public var path: String

    /// An error for `operation` on the database at `path`.
    public init(operation: String, message: String, code: Int32?, path: String) {
        self.operation = operation
        self.message = message
        self.code = code
        self.path = path
    }

    /// `audit spool <path>: <operation>: <message>`.
    public var description: String {
        "audit spool \(path): \(operation): \(message)"
    }
}
