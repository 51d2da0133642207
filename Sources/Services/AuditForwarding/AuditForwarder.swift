import AsyncHTTPClient
import BexyAudit
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Ships BEXY's local audit spool to LogLama (`POST /api/audit`), at least once.
///
/// Records are sent oldest first in batches; a batch is marked forwarded in the spool only after LogLama
/// acknowledged it with a 2xx, so a crash or `kill -9` on either side at any moment means the batch is sent
/// again, and LogLama (which dedupes by record id) stores each execution exactly once. While LogLama is down
/// the records simply wait in the spool.
public struct AuditForwarder: Sendable {
    /// The spool file (`AuditSpool.path(settings:)` for bexy's).
    public var spoolPath: String
    /// LogLama's audit endpoint, e.g. `http://127.0.0.1:5000/api/audit`.
    public var endpoint: String
    /// Records per request.
    public var batchSize: Int
    /// Sent as `Authorization: Bearer` when set (the ecosystem's internal service token).
    public var token: String?
    /// Per-request timeout.
    public var timeout: TimeAmount

    public init(spoolPath: String, endpoint: String, batchSize: Int = 500, token: String? = nil,
                timeout: TimeAmount = .seconds(10)) {
        self.spoolPath = spoolPath
        self.endpoint = endpoint
        self.batchSize = batchSize
        self.token = token
        self.timeout = timeout
    }

    /// What one drain did.
    public struct Report: Sendable, Equatable {
        /// Records LogLama stored for the first time.
        public var stored = 0
        /// Records LogLama already had (a retry after a lost acknowledgement).
        public var duplicates = 0
        /// Requests made.
        public var batches = 0

        public init(stored: Int = 0, duplicates: Int = 0, batches: Int = 0) {
            self.stored = stored
            self.duplicates = duplicates
            self.batches = batches
        }
    }

    /// Why forwarding stopped; the unsent records stay pending.
    public struct ForwardError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Send every pending record, batch by batch, until the spool has none left.
    public func forwardPending(client: HTTPClient) async throws -> Report {
        let spool = try AuditSpool(path: spoolPath)
        let encoder = JSONEncoder()
        var report = Report()
        while true {
            let pending = try spool.pending(limit: batchSize)
            guard let last = pending.last else { return report }
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .bytes(ByteBuffer(bytes: try encoder.encode(pending.map(\.record))))
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: timeout)
            } catch {
                throw ForwardError(message: "\(endpoint): \(error)")
            }
            let body = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else {
                throw ForwardError(message: "\(endpoint): HTTP \(response.status.code): \(String(buffer: body))")
            }
            let acknowledgement = try? JSONDecoder().decode(Acknowledgement.self, from: Data(body.readableBytesView))
            _ = try spool.markForwarded(upTo: last.seq)
            report.batches += 1
            report.stored += acknowledgement?.stored ?? pending.count
            report.duplicates += acknowledgement?.duplicates ?? 0
        }
    }

    /// Forward forever: drain, then look again every `interval`; after a failure wait with exponential
    /// backoff (from `interval` up to `maxBackoff`, with jitter) before trying again. Returns when cancelled.
    public func run(client: HTTPClient, interval: Duration = .seconds(1), maxBackoff: Duration = .seconds(30),
                    onError: @Sendable (ForwardError) -> Void = { _ in }) async {
        var delay = interval
        while !Task.isCancelled {
            do {
                _ = try await forwardPending(client: client)
                delay = interval
            } catch let error as ForwardError {
                onError(error)
                delay = min(delay * 2, maxBackoff)
            } catch {
                onError(ForwardError(message: "\(error)"))
                delay = min(delay * 2, maxBackoff)
            }
            let jitter = Double.random(in: 0.8...1.2)
            try? await Task.sleep(for: delay * jitter)
        }
    }

    private struct Acknowledgement: Decodable {
        var stored: Int
        var duplicates: Int
    }
}
