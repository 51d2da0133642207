import FoundationEssentials
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle

extension LogLamaStore {
    /// Deletes logs older than `retention.maxAgeDays` and then the oldest logs beyond `retention.maxLogRows`;
    /// returns how many logs were deleted. Audit records are never touched.
    ///
    /// Deletes run in chunks, each its own short write transaction, so ingest is never blocked for long.
    @discardableResult
    public func prune(_ retention: LogRetention, now: Date = Date()) async throws -> Int {
        let chunk = 5_000
        var deleted = 0
        if let days = retention.maxAgeDays {
            let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
            let cutoff = UTCTimestamp.format(milliseconds: nowMs - Int64(max(days, 0)) * UTCTimestamp.millisecondsPerDay)
            while true {
                let count = try await pool.write { db in
                    try db.execute(sql: """
                        DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE timestamp < ? LIMIT ?)
                        """, arguments: [cutoff, chunk])
                    return db.changesCount
                }
                deleted += count
                if count < chunk { break }
            }
        }
        if let maxRows = retention.maxLogRows {
            while true {
                let count = try await pool.write { db in
                    let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM logs") ?? 0
                    let excess = min(total - max(maxRows, 0), chunk)
                    guard excess > 0 else { return 0 }
                    try db.execute(sql: """
                        DELETE FROM logs WHERE id IN (SELECT id FROM logs ORDER BY timestamp, id LIMIT ?)
                        """, arguments: [excess])
                    return db.changesCount
                }
                deleted += count
                if count < chunk { break }
            }
        }
        return deleted
    }
}

/// Prunes logs once at start and then every `retention.interval`, for as long as the application runs.
struct RetentionService: Service {
    let store: LogLamaStore
    let retention: LogRetention
    let logger: Logger

    func run() async throws {
        guard retention.maxAgeDays != nil || retention.maxLogRows != nil else {
            try? await gracefulShutdown()  // nothing to prune; stay up so the service group keeps running
            return
        }
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    await pruneOnce()
                    try await Task.sleep(for: retention.interval)
                }
            }
        } catch is CancellationError {
            // shutting down
        }
    }

    private func pruneOnce() async {
        do {
            let deleted = try await store.prune(retention)
            if deleted > 0 {
                logger.info("retention pruned logs", metadata: ["deleted": "\(deleted)"])
            }
        } catch {
            logger.error("retention prune failed", metadata: ["error": "\(error)"])
        }
    }
}
