import Contracts
import FoundationEssentials
import GRDB

/// What the database holds, counted for the stored-records gauges of `GET /metrics`.
struct StoreCensus: Sendable {
    /// Stored logs by level; a level with no logs is absent.
    var logsByLevel: [LogLevel: Int]
    /// Stored audit records by status; a status with no records is absent.
    var auditByStatus: [ExecutionStatus: Int]
}

/// The store reads behind LogLama's metrics.
extension LogLamaStore {
    /// Counts the stored logs by level and the stored audit records by status, in one read transaction (both
    /// queries are answered from an index).
    func census() async throws -> StoreCensus {
        try await pool.read { db in
            var logs: [LogLevel: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT level_number, COUNT(*) FROM logs GROUP BY level_number") {
                if let level = LogLevel(rawValue: row[0]) { logs[level] = row[1] }
            }
            var audit: [ExecutionStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM audit_records GROUP BY status") {
                if let status = ExecutionStatus(rawValue: row[0]) { audit[status] = row[1] }
            }
            return StoreCensus(logsByLevel: logs, auditByStatus: audit)
        }
    }

    /// The statuses of the records that `appendAudit(records)` newly stored, given what it returned.
    ///
    /// Without duplicates every record was stored. Otherwise the stored ones are the `result.stored` newest rows
    /// among the batch's ids: a record already present when the batch was appended has a lower `seq` than any
    /// the batch inserted (`seq` only grows), and no later append can store an id the batch holds.
    func statusesStored(by result: AuditAppendResult, of records: [AuditRecord]) async throws -> [ExecutionStatus] {
        if result.duplicates == 0 { return records.map(\.status) }
        guard result.stored > 0 else { return [] }
        let ids = String(decoding: try JSONEncoder().encode(records.map(\.id)), as: UTF8.self)
        return try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT status FROM audit_records WHERE id IN (SELECT value FROM json_each(?))
                ORDER BY seq DESC LIMIT ?
                """, arguments: [ids, result.stored])
        }.compactMap(ExecutionStatus.init(rawValue:))
    }
}
