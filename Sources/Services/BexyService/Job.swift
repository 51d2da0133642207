import Bexy
import BexyAudit
import Contracts
import Jail
import Synchronization

/// Where a job of `POST /jobs` is: waiting for a slot, running, or ended (`finished` or `cancelled`).
enum JobState: String, Sendable, Encodable {
    case queued, running, finished, cancelled
}

/// One job of `POST /jobs` as it goes: its state, everything it has printed so far (the replay a late subscriber
/// gets first), how it ended, and the live subscribers of its event stream.
///
/// It observes its scheduled execution: output arrives on the worker thread and is appended and handed to the
/// subscribers under a lock, without blocking. The replay holds at most what the job's captured streams hold
/// (the profile's `stdout_bytes` and `stderr_bytes`). A job cancelled before it started is audited here
/// (`JobRunner.cancelledBeforeStart`), so that every accepted job has exactly one audit record.
final class Job: ExecutionObserver {
    /// The job's id in `/jobs/{id}`: the execution's one id (`PreparedExecution.id`), also its result's and its
    /// audit record's.
    var id: String { prepared.id }
    private let runner: any JobRunner
    private let prepared: PreparedExecution
    private let state = Mutex(State())

    private struct State {
        var phase = JobState.queued
        /// The output so far, consecutive chunks of one stream merged.
        var replay: [(stream: StandardStream, text: String)] = []
        /// The last event (`result` or `failure`), once the job ended.
        var end: JobEvent?
        /// The trailing bytes of an incomplete UTF-8 character, per stream.
        var partial: [StandardStream: [UInt8]] = [:]
        var ended: ContinuousClock.Instant?
        var nextSubscriber = 0
        var subscribers: [Int: AsyncStream<JobEvent>.Continuation] = [:]
    }

    /// What `GET /jobs/{id}` shows.
    struct Status: Encodable {
        var id: String
        var state: JobState
        var result: ExecutionResult?
        var error: JobFailure?
        var links: Links

        struct Links: Encodable {
            var `self`: String
            var events: String
        }
    }

    /// A subscription to the job's events: the replay, then live events, ending after the end event.
    struct Subscription {
        let events: AsyncStream<JobEvent>
        /// Nil when the job had already ended (the stream holds the whole replay and is finished).
        let token: Int?
    }

    init(runner: any JobRunner, prepared: PreparedExecution) {
        self.runner = runner
        self.prepared = prepared
    }

    /// The job's state and, once it ended, its result (or why it has none); its links start with `prefix` (the
    /// `ForwardedPrefix` of the request that asks).
    func status(prefix: String) -> Status {
        state.withLock { state in
            var status = Status(id: id, state: state.phase,
                                links: .init(self: "\(prefix)/jobs/\(id)", events: "\(prefix)/jobs/\(id)/events"))
            switch state.end {
            case .result(let result): status.result = result
            case .failure(let failure): status.error = failure
            case .output, nil: break
            }
            return status
        }
    }

    /// When the job ended; nil while it is queued or running.
    var ended: ContinuousClock.Instant? { state.withLock { $0.ended } }

    /// Everything so far, then what comes, until the end event.
    func subscribe() -> Subscription {
        let (events, continuation) = AsyncStream.makeStream(of: JobEvent.self)
        let token: Int? = state.withLock { state in
            for chunk in state.replay { continuation.yield(.output(chunk.stream, chunk.text)) }
            if let end = state.end {
                continuation.yield(end)
                return nil
            }
            let token = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[token] = continuation
            return token
        }
        if token == nil { continuation.finish() }
        return Subscription(events: events, token: token)
    }

    /// End a subscription's stream early (its client went away); the job goes on.
    func unsubscribe(_ token: Int) {
        state.withLock { $0.subscribers.removeValue(forKey: token) }?.finish()
    }

    // MARK: ExecutionObserver

    func started() {
        state.withLock { state in
            if state.phase == .queued { state.phase = .running }
        }
    }

    func output(_ stream: StandardStream, _ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            var pending = state.partial[stream, default: []]
            pending.append(contentsOf: bytes)
            let complete = Self.completeUTF8Prefix(pending)
            state.partial[stream] = Array(pending[complete...])
            guard complete > 0 else { return }
            Self.append(stream, String(decoding: pending[..<complete], as: UTF8.self), to: &state)
        }
    }

    func finished(_ outcome: ExecutionOutcome) {
        let phase: JobState
        let end: JobEvent
        switch outcome {
        case .finished(let result):
            phase = result.status == .cancelled ? .cancelled : .finished
            end = .result(result)
        case .auditFailed(let error):
            phase = .finished
            end = .failure(JobFailure(code: "audit_failed",
                                      message: error.jobFailure))
        case .notStarted:
            phase = .cancelled
            do throws(AuditSpoolError) {
                end = .result(try runner.cancelledBeforeStart(prepared))
            } catch {
                end = .failure(JobFailure(code: "audit_failed",
                                          message: "the job was cancelled before it started, but its audit record "
                                              + "could not be made durable: \(error)"))
            }
        }
        let subscribers = state.withLock { state in
            // An incomplete character left at the end is invalid: it shows as U+FFFD, as in the result.
            for stream in [StandardStream.stdout, .stderr] {
                if let bytes = state.partial[stream], !bytes.isEmpty {
                    Self.append(stream, String(decoding: bytes, as: UTF8.self), to: &state)
                }
            }
            state.partial = [:]
            state.end = end
            for subscriber in state.subscribers.values { subscriber.yield(end) }
            state.phase = phase
            state.ended = .now
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// Keep `text` for the replay (appended in place to the previous chunk of the same stream) and send it to
    /// every subscriber.
    private static func append(_ stream: StandardStream, _ text: String, to state: inout State) {
        if state.replay.last?.stream == stream {
            state.replay[state.replay.count - 1].text += text
        } else {
            state.replay.append((stream, text))
        }
        for subscriber in state.subscribers.values { subscriber.yield(.output(stream, text)) }
    }

    /// The length of `bytes` without a trailing incomplete UTF-8 sequence (at most 3 bytes are held back).
    static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            guard byte & 0xC0 == 0x80 else {
                // A lead byte: complete if the sequence it starts fits in what follows.
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return length > back ? bytes.count - back : bytes.count
            }
        }
        return bytes.count
    }
}
