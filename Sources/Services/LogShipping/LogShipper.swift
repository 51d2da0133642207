import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// Ships log records to LogLama (`POST <url>/api/logs`, body `{"logs":[...]}`) in batches, off the caller's path.
///
/// - `enqueue(_:)` never blocks and never awaits: it takes a `Mutex` for a few instructions. The buffer is bounded
///   (`Configuration.capacity`); a record arriving when it is full is dropped and counted in `droppedCount`.
/// - `run()` is the background loop: it sends whatever is waiting every `flushInterval`, or as soon as `batchSize`
///   records are waiting. Run it for the life of the service, in the service's task group or `ServiceGroup`
///   (wrap it in a `Service` whose `run()` calls it), or with `start()`, which spawns it in a `Task`. When its
///   task is cancelled it makes one last best-effort flush and returns.
/// - A batch that fails (LogLama down, 5xx, 408, 429) goes back to the front of the buffer as far as there is room
///   (the rest is counted as dropped) and the loop backs off exponentially, from `flushInterval` up to
///   `maxBackoff`, with jitter. A batch LogLama rejects for good (another 4xx) is counted as dropped.
/// - Drops are reported: the first batch delivered after drops carries one extra `WARNING` record,
///   "N log records dropped", with logger name `logshipping`.
/// - `flush()` sends everything buffered so far, now; for shutdown and tests.
///
/// Never log through a `LogLamaLogHandler` from inside the shipper: errors go to `run(onError:)`.
public final class LogShipper: Sendable {
    /// How the shipper buffers and sends.
    public struct Configuration: Sendable {
        /// LogLama's base URL, e.g. `http://127.0.0.1:5000` (`LOGLAMA_URL` in the central `.env`).
        public var url: String
        /// The most records waiting at once; more are dropped (and counted). Default 10,000.
        public var capacity: Int
        /// Records per request, and the backlog that triggers a flush before `flushInterval`. Default 500.
        public var batchSize: Int
        /// The longest a record waits before it is sent while LogLama is healthy. Default 1 s.
        public var flushInterval: Duration
        /// The longest pause between retries while LogLama is unreachable. Default 30 s.
        public var maxBackoff: Duration
        /// Per-request timeout. Default 10 s.
        public var timeout: TimeAmount
        /// Sent as `Authorization: Bearer` when set (the ecosystem's internal service token).
        public var token: String?

        public init(url: String, capacity: Int = 10_000, batchSize: Int = 500, flushInterval: Duration = .seconds(1),
                    maxBackoff: Duration = .seconds(30), timeout: TimeAmount = .seconds(10), token: String? = nil) {
            self.url = url
            self.capacity = capacity
            self.batchSize = batchSize
            self.flushInterval = flushInterval
            self.maxBackoff = maxBackoff
            self.timeout = timeout
            self.token = token
        }

        /// `url` + `/api/logs`.
        public var endpoint: String {
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            return base + "/api/logs"
        }
    }

    /// Why a batch was not delivered.
    public struct ShipError: Error, CustomStringConvertible, Sendable {
        public var message: String
        /// `true` when the batch was put back to be retried; `false` when LogLama rejected it for good.
        public var retryable: Bool
        public var description: String { message }
    }

    /// The logger name of the drop reports.
    public static let component = "logshipping"

    public let configuration: Configuration
    private let client: HTTPClient
    private let buffer: Mutex<LogBuffer>
    private let shipped = Atomic<Int>(0)
    private let signal = FlushSignal()
    private let sends = SendSerializer()

    /// A shipper to `configuration.url`; `client` defaults to `FailFastClient.shared` (LogLama down is noticed at
    /// once, so the last flush at shutdown does not wait out the request timeout).
    public init(configuration: Configuration, client: HTTPClient = FailFastClient.shared) {
        precondition(configuration.batchSize > 0, "batchSize must be positive")
        self.configuration = configuration
        self.client = client
        buffer = Mutex(LogBuffer(capacity: configuration.capacity))
    }

    /// Records dropped so far: the buffer was full, or a failed batch found no room to go back.
    public var droppedCount: Int { buffer.withLock { $0.droppedTotal } }

    /// The backlog that wakes the loop before `flushInterval`: a full batch, or a full buffer if that is smaller.
    private var flushThreshold: Int { min(configuration.batchSize, configuration.capacity) }

    /// Records waiting to be sent.
    public var pendingCount: Int { buffer.withLock { $0.count } }

    /// Records LogLama accepted so far (drop reports not included).
    public var shippedCount: Int { shipped.load(ordering: .relaxed) }

    /// Buffers `record` for the next batch; never blocks. Returns `false` if it was dropped (buffer full).
    @discardableResult
    public func enqueue(_ record: ShippedLogRecord) -> Bool {
        let (accepted, count) = buffer.withLock { buffer in (buffer.append(record), buffer.count) }
        if accepted && count == flushThreshold { signal.signal() }
        return accepted
    }

    /// Sends every record buffered before the call, in batches, now; throws at the first batch that fails (its
    /// records are back in the buffer, or counted as dropped if LogLama rejected them for good).
    public func flush() async throws {
        try await sends.run {
            var remaining = pendingCount
            repeat {
                remaining -= try await sendOneBatch()
            } while remaining > 0 && pendingCount > 0
        }
    }

    /// The background loop (see the type's documentation); returns after a final flush once its task is cancelled.
    /// `onError` hears about every failed batch (it must not log through a `LogLamaLogHandler`).
    public func run(onError: @escaping @Sendable (ShipError) -> Void = { _ in }) async {
        var backoff: Duration?
        while !Task.isCancelled {
            if let delay = backoff {
                try? await Task.sleep(for: delay * Double.random(in: 0.8...1.2))
            } else if pendingCount < flushThreshold {
                await signal.wait(timeout: configuration.flushInterval)
            }
            if Task.isCancelled { break }
            do {
                try await flush()
                backoff = nil
            } catch let error as ShipError {
                onError(error)
                backoff = error.retryable ? min((backoff ?? configuration.flushInterval) * 2, configuration.maxBackoff) : nil
            } catch {
                onError(ShipError(message: "\(error)", retryable: true))
                backoff = min((backoff ?? configuration.flushInterval) * 2, configuration.maxBackoff)
            }
        }
        // The last flush runs in its own task: this one is cancelled, and a cancelled task cannot send.
        let lastFlush = Task { try await self.flush() }
        if case .failure(let error) = await lastFlush.result {
            onError(error as? ShipError ?? ShipError(message: "\(error)", retryable: true))
        }
    }

    /// Runs `run(onError:)` in a new `Task`; cancel the task to stop (after a final flush).
    @discardableResult
    public func start(onError: @escaping @Sendable (ShipError) -> Void = { _ in }) -> Task<Void, Never> {
        Task { await self.run(onError: onError) }
    }

    /// Sends one batch (plus a drop report if drops are unreported); returns the number of buffered records sent.
    private func sendOneBatch() async throws -> Int {
        let (batch, drops) = buffer.withLock { buffer in
            (buffer.takeBatch(limit: configuration.batchSize), buffer.takeDropReport())
        }
        guard !batch.isEmpty || drops > 0 else { return 0 }
        var records = batch
        if drops > 0 {
            records.append(ShippedLogRecord(
                level: "WARNING", message: "\(drops) log records dropped", loggerName: Self.component,
                timestamp: UTCTimestamp.now(), context: ["dropped": String(drops)]))
        }
        do {
            try await post(records)
        } catch let error as ShipError where !error.retryable {
            buffer.withLock { $0.drop(batch.count) }
            throw error
        } catch {
            buffer.withLock { buffer in
                buffer.putBack(batch)
                buffer.restoreDropReport(drops)
            }
            throw error
        }
        shipped.add(batch.count, ordering: .relaxed)
        return batch.count
    }

    private func post(_ records: [ShippedLogRecord]) async throws {
        let endpoint = configuration.endpoint
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ShippedLogRecord.batchBody(records))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: configuration.timeout)
        } catch {
            throw ShipError(message: "\(endpoint): \(error)", retryable: true)
        }
        let body = (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
        let status = response.status.code
        guard (200..<300).contains(status) else {
            let retryable = status >= 500 || status == 408 || status == 429
            throw ShipError(message: "\(endpoint): HTTP \(status): \(String(buffer: body))", retryable: retryable)
        }
    }
}
