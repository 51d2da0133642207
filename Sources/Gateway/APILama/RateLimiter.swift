import Synchronization

/// One token bucket per caller name: each request takes one token; buckets refill at `perSecond` up to `burst`.
///
/// Kept in memory: a restart gives every caller a full bucket, which errs on the side of serving.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let limit: RateLimit
    private let buckets = Mutex<[String: Bucket]>([:])

    init(_ limit: RateLimit) {
        self.limit = RateLimit(perSecond: limit.perSecond, burst: max(1, limit.burst))
    }

    /// Takes a token from `key`'s bucket: `nil` if there was one, else how long until there will be.
    func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + seconds * limit.perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(((1 - bucket.tokens) / limit.perSecond * 1000).rounded(.up)))
        }
    }
}
