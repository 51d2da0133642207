import GRDB

/// The reads behind the exports: first the keys of every matching row in the export's order (one query, one sort,
/// 8 bytes a row), then the rows themselves by key, a chunk at a time.
///
/// Why not `LIMIT`/`OFFSET` or keyset pages: with a filter and an order no single index serves (level + time,
/// anything by message), SQLite sorts every match again for each page, so a million-row export would be quadratic.
/// The key list is sorted once, each chunk is a short read transaction of primary-key lookups, and the key list is
/// the export's snapshot: rows added later are not in it, rows deleted meanwhile are skipped.
extension LogLamaStore {
    /// The ids of the logs matching `filter`, in `sort` order.
    func logIDs(_ filter: LogFilter, sort: LogSort) async throws -> [Int64] {
        let (whereSQL, arguments) = filter.whereClause
        return try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM logs \(whereSQL) \(sort.orderClause)", arguments: arguments)
        }
    }

    /// The logs with these ids, in the order of `ids`; ids no longer stored are skipped.
    func logs(ids: ArraySlice<Int64>) async throws -> [LogEntry] {
        let rows = try await rows(sql: "SELECT \(LogEntry.columns) FROM logs WHERE id IN", keys: ids)
        let byID = Dictionary(rows.map { (row: Row) in (row[0] as Int64, LogEntry(row: row)) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byID[$0] }
    }

    /// The `seq`s of the audit records matching `filter`, newest first unless it asks for ascending order.
    func auditSeqs(_ filter: AuditFilter) async throws -> [Int64] {
        let (whereSQL, arguments) = filter.whereClause
        let order = filter.descending ? "DESC" : "ASC"
        return try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM audit_records \(whereSQL) ORDER BY seq \(order)", arguments: arguments)
        }
    }

    /// The stored audit records with these `seq`s, in the order of `seqs`.
    func auditRecords(seqs: ArraySlice<Int64>) async throws -> [StoredAuditRecord] {
        let rows = try await rows(sql: "SELECT \(StoredAuditRecord.columns) FROM audit_records WHERE seq IN", keys: seqs)
        let bySeq = Dictionary(rows.map { (row: Row) in (row[0] as Int64, StoredAuditRecord(row: row)) },
                               uniquingKeysWith: { a, _ in a })
        return seqs.compactMap { bySeq[$0] }
    }

    /// `sql` (ending in `... IN`) completed with one placeholder per key.
    private func rows(sql: String, keys: ArraySlice<Int64>) async throws -> [Row] {
        guard !keys.isEmpty else { return [] }
        let statement = sql + " (" + Array(repeating: "?", count: keys.count).joined(separator: ",") + ")"
        let arguments = StatementArguments(Array(keys))
        return try await pool.read { db in try Row.fetchAll(db, sql: statement, arguments: arguments) }
    }
}
