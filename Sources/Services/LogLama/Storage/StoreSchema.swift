import GRDB

/// The database schema, as an ordered list of migrations. Never edit a shipped migration: add a new one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: logs, full-text index, audit trail") { db in
            try db.execute(sql: """
                CREATE TABLE logs (
                    id INTEGER PRIMARY KEY,
                    timestamp TEXT NOT NULL,          -- UTC ISO 8601 with milliseconds: sorts as text
                    level TEXT NOT NULL,              -- DEBUG, INFO, WARNING, ERROR, CRITICAL
                    level_number INTEGER NOT NULL,    -- 10, 20, 30, 40, 50
                    logger_name TEXT NOT NULL,        -- a.k.a. component
                    message TEXT NOT NULL,
                    file_path TEXT,
                    line_number INTEGER,
                    function TEXT,
                    module TEXT,
                    process_id INTEGER,
                    process_name TEXT,
                    thread_id INTEGER,
                    thread_name TEXT,
                    exception_info TEXT,
                    context TEXT,                     -- a JSON object, or NULL
                    request_id TEXT
                );
                CREATE INDEX logs_by_timestamp ON logs(timestamp);
                CREATE INDEX logs_by_logger_name ON logs(logger_name);
                CREATE INDEX logs_by_level_number ON logs(level_number);

                -- Full-text search over message and logger_name. Inserts add their own index rows
                -- (LogLamaStore.insertLogs: a trigger doubled the cost of an insert); deletes and updates,
                -- rare, are kept in step by triggers.
                CREATE VIRTUAL TABLE logs_fts USING fts5(message, logger_name, content='logs', content_rowid='id');
                CREATE TRIGGER logs_fts_after_delete AFTER DELETE ON logs BEGIN
                    INSERT INTO logs_fts(logs_fts, rowid, message, logger_name)
                        VALUES ('delete', old.id, old.message, old.logger_name);
                END;
                CREATE TRIGGER logs_fts_after_update AFTER UPDATE OF message, logger_name ON logs BEGIN
                    INSERT INTO logs_fts(logs_fts, rowid, message, logger_name)
                        VALUES ('delete', old.id, old.message, old.logger_name);
                    INSERT INTO logs_fts(rowid, message, logger_name) VALUES (new.id, new.message, new.logger_name);
                END;

                -- The audit trail: append-only, hash-chained, never pruned.
                CREATE TABLE audit_records (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,          -- the job id; a second delivery is a duplicate
                    time TEXT NOT NULL,               -- the record's time, normalized to UTC milliseconds
                    requester TEXT NOT NULL,
                    profile TEXT NOT NULL,
                    status TEXT NOT NULL,
                    record TEXT NOT NULL,             -- the canonical JSON the hash covers
                    prev_hash TEXT NOT NULL,          -- the previous record's hash; 64 zeros for the first
                    hash TEXT NOT NULL,               -- sha256(prev_hash + record), lowercase hex
                    received_at TEXT NOT NULL         -- when LogLama stored it (not covered by the hash)
                );
                CREATE INDEX audit_by_time ON audit_records(time);
                CREATE INDEX audit_by_status ON audit_records(status);
                CREATE INDEX audit_by_profile ON audit_records(profile);
                CREATE INDEX audit_by_requester ON audit_records(requester);
                """)
        }
        return migrator
    }
}
