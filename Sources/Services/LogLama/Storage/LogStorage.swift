import GRDB

/// One page of logs and the total that matched.
struct LogPage: Sendable {
    var entries: [LogEntry]
    var total: Int
}

/// The aggregate view of `GET /api/stats`.
struct LogStats: Sendable {
    var levelCounts: [(level: String, count: Int)]
    var componentCounts: [(component: String, count: Int)]
    var minDate: String?
    var maxDate: String?
    var total: Int
}

extension LogLamaStore {
    static let insertLogSQL = """
        INSERT INTO logs (timestamp, level, level_number, logger_name, message, file_path, line_number, function, \
        module, process_id, process_name, thread_id, thread_name, exception_info, context, request_id) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let insertSearchSQL = "INSERT INTO logs_fts (rowid, message, logger_name) VALUES (?, ?, ?)"

    /// Stores a batch of log records, and their full-text index rows, in one transaction with two prepared
    /// statements; returns how many were stored.
    func insertLogs(_ records: [NewLogRecord]) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await pool.write { db in
            let insert = try db.cachedStatement(sql: Self.insertLogSQL)
            let index = try db.cachedStatement(sql: Self.insertSearchSQL)
            for record in records {
                insert.setUncheckedArguments([
                    record.timestamp, record.level.name, record.level.rawValue, record.loggerName, record.message,
                    record.filePath, record.lineNumber, record.function, record.module, record.processID,
                    record.processName, record.threadID, record.threadName, record.exceptionInfo, record.context,
                    record.requestID,
                ])
                try insert.execute()
                index.setUncheckedArguments([db.lastInsertedRowID, record.message, record.loggerName])
                try index.execute()
            }
            return records.count
        }
    }

    /// The page of logs matching `filter` in `sort` order, and how many match in all.
    func queryLogs(_ filter: LogFilter, sort: LogSort, pagination: Pagination) async throws -> LogPage {
        let (whereSQL, arguments) = filter.whereClause
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM logs \(whereSQL)", arguments: arguments) ?? 0
            var pageArguments = arguments
            pageArguments += [pagination.pageSize, pagination.offset]
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(LogEntry.columns) FROM logs \(whereSQL) \(sort.orderClause) LIMIT ? OFFSET ?",
                arguments: pageArguments)
            return LogPage(entries: rows.map(LogEntry.init(row:)), total: total)
        }
    }

    /// The log with this id, if any.
    func log(id: Int64) async throws -> LogEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(LogEntry.columns) FROM logs WHERE id = ?", arguments: [id])
                .map(LogEntry.init(row:))
        }
    }

    /// Counts by level and by component, the time range, and the total, over the logs matching `filter`.
    func stats(_ filter: LogFilter) async throws -> LogStats {
        let (whereSQL, arguments) = filter.whereClause
        return try await pool.read { db in
            let levels = try Row.fetchAll(
                db, sql: "SELECT level, COUNT(*) FROM logs \(whereSQL) GROUP BY level_number, level ORDER BY level_number",
                arguments: arguments
            ).map { (level: $0[0] as String, count: $0[1] as Int) }
            let components = try Row.fetchAll(
                db, sql: "SELECT logger_name, COUNT(*) FROM logs \(whereSQL) GROUP BY logger_name ORDER BY logger_name",
                arguments: arguments
            ).map { (component: $0[0] as String, count: $0[1] as Int) }
            let range = try Row.fetchOne(
                db, sql: "SELECT MIN(timestamp), MAX(timestamp), COUNT(*) FROM logs \(whereSQL)", arguments: arguments)
            return LogStats(levelCounts: levels, componentCounts: components, minDate: range?[0], maxDate: range?[1],
                            total: range?[2] ?? 0)
        }
    }

    /// The levels present, in severity order.
    func levels() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT level FROM logs GROUP BY level_number, level ORDER BY level_number")
        }
    }

    /// The logger names present, sorted.
    func components() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT logger_name FROM logs ORDER BY logger_name")
        }
    }

    /// Deletes the logs matching `filter` (all of them for an empty filter); returns how many were deleted.
    func clearLogs(_ filter: LogFilter) async throws -> Int {
        let (whereSQL, arguments) = filter.whereClause
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM logs \(whereSQL)", arguments: arguments)
            return db.changesCount
        }
    }
}
