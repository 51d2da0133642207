import Contracts
import FoundationEssentials
import GRDB
import ServiceHTTP
import ServiceKit

/// What an audit append did: records newly stored, and records already present (same id) and skipped.
public struct AuditAppendResult: Sendable, Equatable {
    /// Records stored by this call.
    public var stored: Int
    /// Records whose id was already stored (or repeated earlier in the batch); not stored again.
    public var duplicates: Int
}

/// The outcome of re-checking the whole hash chain.
public struct AuditVerification: Sendable, Equatable {
    /// Where the chain first breaks.
    public struct Break: Sendable, Equatable {
        /// The `seq` of the first record that fails.
        public var seq: Int64
        /// That record's id.
        public var id: String
        /// Why it fails: its hash, its link to the previous record, or its indexed columns.
        public var reason: String
    }

    /// True when every record's hash and link check out.
    public var ok: Bool { brokenAt == nil }
    /// How many records the trail holds.
    public var records: Int
    /// The first record where the chain breaks, if any.
    public var brokenAt: Break?
}

/// A stored audit record with its place in the chain.
struct StoredAuditRecord: Encodable, Sendable {
    var seq: Int64
    var hash: String
    var prevHash: String
    var receivedAt: String
    /// The record as stored (the canonical JSON, parsed back); a string if the stored text is not JSON.
    var record: JSONValue

    static let columns = "seq, hash, prev_hash, received_at, record"

    init(row: Row) {
        seq = row[0]
        hash = row[1]
        prevHash = row[2]
        receivedAt = row[3]
        let text: String = row[4]
        record = JSONValue.parse(text) ?? .string(text)
    }

    enum CodingKeys: String, CodingKey {
        case seq, hash, record
        case prevHash = "prev_hash"
        case receivedAt = "received_at"
    }
}

/// Filters of `GET /api/audit`: `status`, `profile`, `requester`, `since`, `until`.
struct AuditFilter: Sendable {
    var status: ExecutionStatus?
    var profile: String?
    var requester: String?
    var since: String?
    var until: String?
    var descending = true

    init(query: QueryParameters) throws(ServiceError) {
        if let text = query.string("status") {
            guard let status = ExecutionStatus(rawValue: text) else {
                let names = ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalidParameter("status", "must be one of \(names), got \"\(text)\"")
            }
            self.status = status
        }
        profile = query.string("profile")
        requester = query.string("requester")
        since = try query.timestamp("since").map { UTCTimestamp.format(milliseconds: $0.milliseconds) }
        until = try query.timestamp("until").map(LogFilter.inclusiveEnd)
        if let direction = try query.choice("sort_direction", among: ["asc", "desc"]) {
            descending = direction == "desc"
        }
    }

    var whereClause: (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        for (column, value) in [("status", status?.rawValue), ("profile", profile), ("requester", requester)] {
            if let value {
                conditions.append("\(column) = ?")
                arguments += [value]
            }
        }
        if let since {
            conditions.append("time >= ?")
            arguments += [since]
        }
        if let until {
            conditions.append("time <= ?")
            arguments += [until]
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
    }
}

extension LogLamaStore {
    /// Appends audit records in order, extending the hash chain; a record whose id is already stored is counted as
    /// a duplicate and skipped, so redelivery is harmless.
    ///
    /// The whole batch is one `BEGIN IMMEDIATE` transaction on the single writer connection: reading the last hash
    /// and inserting cannot interleave with another append. It is synced to disk (`synchronous=FULL`) before
    /// returning, so a record reported stored survives a crash or a power loss.
    public func appendAudit(_ records: [AuditRecord]) async throws -> AuditAppendResult {
        guard !records.isEmpty else { return AuditAppendResult(stored: 0, duplicates: 0) }
        let canonical = try records.map(AuditChain.canonicalJSON)
        let receivedAt = UTCTimestamp.now()
        return try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var result = AuditAppendResult(stored: 0, duplicates: 0)
            try db.inTransaction(.immediate) {
                var previous = try String.fetchOne(db, sql: "SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1")
                    ?? AuditChain.genesisHash
                let exists = try db.cachedStatement(sql: "SELECT 1 FROM audit_records WHERE id = ?")
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO audit_records (id, time, requester, profile, status, record, prev_hash, hash, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for (record, json) in zip(records, canonical) {
                    if try Int.fetchOne(exists, arguments: [record.id]) != nil {
                        result.duplicates += 1
                        continue
                    }
                    let hash = AuditChain.hash(previousHash: previous, canonicalRecord: json)
                    try insert.execute(arguments: [
                        record.id, Self.indexedTime(record.time), record.requester, record.profile,
                        record.status.rawValue, json, previous, hash, receivedAt,
                    ])
                    previous = hash
                    result.stored += 1
                }
                return .commit
            }
            return result
        }
    }

    /// The `time` column: the record's time normalized to UTC milliseconds, or as sent if it does not parse.
    static func indexedTime(_ time: String) -> String {
        UTCTimestamp.normalize(time) ?? time
    }

    /// A page of stored audit records matching `filter`, by the time of the execution (not of arrival: records
    /// forwarded late, after LogLama was down, still sort where they ran), newest first unless
    /// `sort_direction=asc`, and the total.
    func queryAudit(_ filter: AuditFilter, pagination: Pagination) async throws -> (records: [StoredAuditRecord], total: Int) {
        let (whereSQL, arguments) = filter.whereClause
        let order = filter.descending ? "DESC" : "ASC"
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_records \(whereSQL)", arguments: arguments) ?? 0
            var pageArguments = arguments
            pageArguments += [pagination.pageSize, pagination.offset]
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(StoredAuditRecord.columns) FROM audit_records \(whereSQL) ORDER BY time \(order), seq \(order) LIMIT ? OFFSET ?",
                arguments: pageArguments)
            return (rows.map(StoredAuditRecord.init(row:)), total)
        }
    }

    /// The stored record with this job id, if any.
    func auditRecord(id: String) async throws -> StoredAuditRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(StoredAuditRecord.columns) FROM audit_records WHERE id = ?",
                             arguments: [id]).map(StoredAuditRecord.init(row:))
        }
    }

    /// Recomputes every hash in `seq` order and checks each link and each record's indexed columns; reports the
    /// first record that fails.
    public func verifyAuditChain() async throws -> AuditVerification {
        try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_records") ?? 0
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, id, time, requester, profile, status, record, prev_hash, hash
                FROM audit_records ORDER BY seq
                """)
            let decoder = JSONDecoder()
            var expectedPrevious = AuditChain.genesisHash
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                let id: String = row[1]
                let text: String = row[6]
                let previous: String = row[7]
                let hash: String = row[8]
                func broken(_ reason: String) -> AuditVerification {
                    AuditVerification(records: total, brokenAt: .init(seq: seq, id: id, reason: reason))
                }
                if previous != expectedPrevious {
                    return broken("prev_hash does not match the hash of the record before it")
                }
                if AuditChain.hash(previousHash: previous, canonicalRecord: text) != hash {
                    return broken("hash does not match the stored record")
                }
                guard let record = try? decoder.decode(AuditRecord.self, from: Data(text.utf8)) else {
                    return broken("the stored record is not a valid audit record")
                }
                let columns: [String] = [row[1], row[2], row[3], row[4], row[5]]
                let expected = [record.id, Self.indexedTime(record.time), record.requester, record.profile,
                                record.status.rawValue]
                if columns != expected {
                    return broken("the indexed columns differ from the stored record")
                }
                expectedPrevious = hash
            }
            return AuditVerification(records: total, brokenAt: nil)
        }
    }
}
