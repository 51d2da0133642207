import FoundationEssentials
import Hummingbird
import ServiceHTTP
import ServiceKit

/// The central-logging API, keeping the original LogLama web contract:
///
/// - `POST /api/logs`: one record, `{"logs": [...]}` or an array -> 201 `{"status":"ok","accepted":N}`.
/// - `GET /api/logs?page&page_size&level&component&search&start_date&end_date&sort_by&sort_direction`
///   -> `{logs, page, pages, page_size, total}` (`pages` is at least 1).
/// - `GET /api/log/{id}` -> the record, or 404.
/// - `GET /api/stats` (same filters) -> `{level_counts, component_counts, date_range:{min_date,max_date}, total}`.
/// - `GET /api/levels`, `GET /api/components` -> JSON arrays of names.
/// - `POST /api/logs/clear` (filters `level`, `component`, `search`, `start_date`, `end_date` and `before`, in the
///   query or a JSON body; none deletes every log)
///   -> `{"status":"ok","deleted":N}`.
struct LogRoutes<Context: RequestContext>: Sendable {
    let store: LogLamaStore
    let maxBodyBytes: Int
    let metrics: LogLamaMetrics

    func register(on router: Router<Context>) {
        router.post("/api/logs") { request, _ in try await ingest(request) }
        router.get("/api/logs") { request, _ in try await list(request) }
        router.get("/api/log/:id") { _, context in try await entry(context) }
        router.get("/api/stats") { request, _ in try await stats(request) }
        router.get("/api/levels") { _, _ in try JSONResponse.make(try await store.levels()) }
        router.get("/api/components") { _, _ in try JSONResponse.make(try await store.components()) }
        router.post("/api/logs/clear") { request, _ in try await clear(request) }
    }

    private func ingest(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        let batch = try NewLogBatch(try JSONBody.parse(body))
        let accepted = try await store.insertLogs(batch.records)
        metrics.recordLogBatch(levels: batch.records.lazy.map(\.level), duration: ContinuousClock.now - started)
        return try JSONResponse.make(Accepted(accepted: accepted), status: .created)
    }

    private func list(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let filter = try LogFilter(query: query)
        let sort = try LogSort(query: query)
        let pagination = try query.pagination()
        let page = try await store.queryLogs(filter, sort: sort, pagination: pagination)
        return try JSONResponse.make(LogListing(
            logs: page.entries, page: pagination.page, pages: pagination.pages(total: page.total),
            pageSize: pagination.pageSize, total: page.total))
    }

    private func entry(_ context: Context) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { throw ServiceError.invalidParameter("id", "must be an integer, got \"\(text)\"") }
        guard let entry = try await store.log(id: id) else { throw ServiceError.notFound("no log with id \(id)") }
        return try JSONResponse.make(entry)
    }

    private func stats(_ request: Request) async throws -> Response {
        let stats = try await store.stats(try LogFilter(query: QueryParameters(request)))
        return try JSONResponse.make(StatsBody(stats))
    }

    private func clear(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        var values: [String: String] = [:]
        if body.readableBytes > 0 {
            let object = try JSONBody.parse(body)
            guard case .object(let members) = object else { throw ServiceError.invalidBody("the body must be a JSON object") }
            for (key, value) in members {
                switch value {
                case .string(let text): values[key] = text
                case .null: continue
                default: throw ServiceError.invalidField(key, "must be a string")
                }
            }
        }
        func value(_ name: String) -> String? { values[name].flatMap(\.nilIfEmpty) ?? query.string(name) }
        var filter = try LogFilter(values: value)
        if let before = try LogFilter.timestamp("before", value) {
            filter.before = UTCTimestamp.format(milliseconds: before.milliseconds)
        }
        let deleted = try await store.clearLogs(filter)
        return try JSONResponse.make(Cleared(deleted: deleted))
    }
}

private struct Accepted: Encodable {
    var status = "ok"
    var accepted: Int
}

private struct Cleared: Encodable {
    var status = "ok"
    var deleted: Int
}

private struct LogListing: Encodable {
    var logs: [LogEntry]
    var page: Int
    var pages: Int
    var pageSize: Int
    var total: Int

    enum CodingKeys: String, CodingKey {
        case logs, page, pages, total
        case pageSize = "page_size"
    }
}

private struct StatsBody: Encodable {
    struct DateRange: Encodable {
        var minDate: String?
        var maxDate: String?

        enum CodingKeys: String, CodingKey {
            case minDate = "min_date"
            case maxDate = "max_date"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(minDate, forKey: .minDate)
            try container.encode(maxDate, forKey: .maxDate)
        }
    }

    var levelCounts: [String: Int]
    var componentCounts: [String: Int]
    var dateRange: DateRange
    var total: Int

    init(_ stats: LogStats) {
        levelCounts = Dictionary(stats.levelCounts.map { ($0.level, $0.count) }, uniquingKeysWith: +)
        componentCounts = Dictionary(stats.componentCounts.map { ($0.component, $0.count) }, uniquingKeysWith: +)
        dateRange = DateRange(minDate: stats.minDate, maxDate: stats.maxDate)
        total = stats.total
    }

    enum CodingKeys: String, CodingKey {
        case total
        case levelCounts = "level_counts"
        case componentCounts = "component_counts"
        case dateRange = "date_range"
    }
}
