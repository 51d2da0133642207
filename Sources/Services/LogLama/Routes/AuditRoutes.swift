import Contracts
import FoundationEssentials
import Hummingbird
import ServiceHTTP

/// The audit-trail API:
///
/// - `POST /api/audit`: a JSON array of `AuditRecord`s (or `{"records": [...]}`), stored in order and deduplicated
///   by id -> `{"status":"ok","stored":N,"duplicates":M}`. A record that does not decode is a 400 naming its
///   index and field (`records[2].status`), and nothing of the batch is stored.
/// - `GET /api/audit?status&profile&requester&since&until&page&page_size&sort_direction`
///   -> `{records, page, pages, page_size, total}`, newest first by default; each element is
///   `{seq, hash, prev_hash, received_at, record}`.
/// - `GET /api/audit/verify` -> `{"ok":true,"records":N}` or `{"ok":false,"records":N,"broken_at":{seq,id,reason}}`.
/// - `GET /api/audit/{id}` -> one stored record, or 404.
struct AuditRoutes<Context: RequestContext>: Sendable {
    let store: LogLamaStore
    let maxBodyBytes: Int
    let metrics: LogLamaMetrics

    func register(on router: Router<Context>) {
        router.post("/api/audit") { request, context in try await ingest(request, context) }
        router.get("/api/audit") { request, _ in try await list(request) }
        router.get("/api/audit/verify") { _, _ in try JSONResponse.make(VerifyBody(try await store.verifyAuditChain())) }
        router.get("/api/audit/:id") { _, context in try await record(context) }
    }

    private func ingest(_ request: Request, _ context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        let batch = try JSONBody.decode(AuditBatch.self, from: body, root: "records")
        let result = try await store.appendAudit(batch.records)
        let duration = ContinuousClock.now - started
        let storedStatuses: [ExecutionStatus]
        do {
            storedStatuses = try await store.statusesStored(by: result, of: batch.records)
        } catch {  // the batch is stored: the sender must still hear so, or it would resend it
            context.logger.error("counting the stored audit statuses failed", metadata: ["error": "\(error)"])
            storedStatuses = []
        }
        metrics.recordAuditBatch(storedStatuses: storedStatuses, duplicates: result.duplicates, duration: duration)
        return try JSONResponse.make(Appended(stored: result.stored, duplicates: result.duplicates))
    }

    private func list(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let filter = try AuditFilter(query: query)
        let pagination = try query.pagination()
        let (records, total) = try await store.queryAudit(filter, pagination: pagination)
        return try JSONResponse.make(AuditListing(
            records: records, page: pagination.page, pages: pagination.pages(total: total),
            pageSize: pagination.pageSize, total: total))
    }

    private func record(_ context: Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.auditRecord(id: id) else {
            throw ServiceError.notFound("no audit record with id \(id)")
        }
        return try JSONResponse.make(record)
    }
}

/// The body of `POST /api/audit`: a JSON array of records or `{"records": [...]}`.
struct AuditBatch: Decodable {
    var records: [AuditRecord]

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyCodingKey.self) {
            guard object.contains(AnyCodingKey("records")) else {
                throw ServiceError.invalidBody("the body must be a JSON array of audit records or {\"records\": [...]}")
            }
            records = try object.decode([AuditRecord].self, forKey: AnyCodingKey("records"))
        } else {
            records = try [AuditRecord](from: decoder)  // a failing record's error carries its index and field
        }
    }
}

private struct Appended: Encodable {
    var status = "ok"
    var stored: Int
    var duplicates: Int
}

private struct AuditListing: Encodable {
    var records: [StoredAuditRecord]
    var page: Int
    var pages: Int
    var pageSize: Int
    var total: Int

    enum CodingKeys: String, CodingKey {
        case records, page, pages, total
        case pageSize = "page_size"
    }
}

private struct VerifyBody: Encodable {
    struct Broken: Encodable {
        var seq: Int64
        var id: String
        var reason: String
    }

    var ok: Bool
    var records: Int
    var brokenAt: Broken?

    init(_ verification: AuditVerification) {
        ok = verification.ok
        records = verification.records
        brokenAt = verification.brokenAt.map { Broken(seq: $0.seq, id: $0.id, reason: $0.reason) }
    }

    enum CodingKeys: String, CodingKey {
        case ok, records
        case brokenAt = "broken_at"
    }
}
