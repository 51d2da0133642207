import Bexy
import Synchronization

/// The jobs of `POST /jobs` by id, each with its scheduled execution (to cancel it).
///
/// Queued and running jobs are kept until they end (the scheduler bounds how many there are); ended ones for
/// `retention.time` after their end, and only the `retention.count` most recently ended. Expired jobs are
/// forgotten whenever the store is used; a deleted one at once.
final class JobStore: Sendable {
    /// A job and its execution.
    struct Entry: Sendable {
        let job: Job
        let execution: ScheduledExecution
    }

    private let retention: BexyServiceConfiguration.JobRetention
    private let entries = Mutex<[String: Entry]>([:])

    init(retention: BexyServiceConfiguration.JobRetention) {
        self.retention = retention
    }

    /// Keep `entry` under its job's id.
    func add(_ entry: Entry) {
        entries.withLock { entries in
            forgetExpired(&entries)
            entries[entry.job.id] = entry
        }
    }

    /// The job with `id`, unless there is none or it was forgotten.
    func find(_ id: String) -> Entry? {
        entries.withLock { entries in
            forgetExpired(&entries)
            return entries[id]
        }
    }

    /// Forget the job with `id` (`DELETE /jobs/{id}`); its execution goes on until it stops.
    func remove(_ id: String) {
        entries.withLock { entries in
            _ = entries.removeValue(forKey: id)
        }
    }

    private func forgetExpired(_ entries: inout [String: Entry]) {
        let now = ContinuousClock.now
        let ended = entries.compactMap { id, entry in entry.job.ended.map { (id: id, at: $0) } }
        let expired = ended.filter { now - $0.at >= retention.time }
        for job in expired { entries.removeValue(forKey: job.id) }
        let kept = ended.filter { now - $0.at < retention.time }.sorted { $0.at > $1.at }
        for job in kept.dropFirst(retention.count) { entries.removeValue(forKey: job.id) }
    }
}
