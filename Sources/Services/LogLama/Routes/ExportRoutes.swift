import FoundationEssentials
import HTTPTypes
import Hummingbird
import ServiceHTTP
import ServiceKit

/// The export API: every matching row, streamed, as an attachment.
///
/// - `GET /api/logs/export?format=csv|jsonl` with the filters and order of `GET /api/logs` (`level`, `component`,
///   `search`, `start_date`, `end_date`, `sort_by`, `sort_direction`) and no paging.
/// - `GET /api/audit/export?format=csv|jsonl` with the filters of `GET /api/audit` (`status`, `profile`,
///   `requester`, `since`, `until`, `sort_direction`; newest first by default). The audit trail is never pruned:
///   this is how it leaves the system.
///
/// `format` defaults to `csv`; any other value is a 400 naming `format`. JSONL has one JSON object per line, each
/// exactly the body `GET /api/log/{id}` or `GET /api/audit/{id}` returns for that row (audit lines carry `seq`,
/// `hash`, `prev_hash` and `received_at`, so a copy can be re-verified). CSV is RFC 4180 with a header row
/// (`ExportColumns.swift` lists the columns) and formula injection neutralized (`CSVEncoder`).
///
/// Before the response starts, parameters are checked and the keys of every matching row are read in order
/// (`ExportStorage.swift`), so those errors are ordinary JSON error responses and the key list is the export's
/// snapshot. Rows are then read `chunkSize` at a time and written as they are read: memory holds one chunk and the
/// keys (8 bytes a row), whatever the export's size. A storage failure later can only cut the stream short.
struct ExportRoutes<Context: RequestContext>: Sendable {
    let store: LogLamaStore
    /// Rows per read transaction and per written buffer.
    var chunkSize = 1000

    func register(on router: Router<Context>) {
        router.get("/api/logs/export") { request, _ in try await exportLogs(request) }
        router.get("/api/audit/export") { request, _ in try await exportAudit(request) }
    }

    private func exportLogs(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let format = try ExportFormat(query: query)
        let filter = try LogFilter(query: query)
        let ids = try await store.logIDs(filter, sort: try LogSort(query: query))
        let render: ExportStream.Render<LogEntry>
        switch format {
        case .csv: render = .csv(header: ExportColumn.header(LogExportColumns.all)) { ExportColumn.line(LogExportColumns.all, $0) }
        case .jsonl: render = .jsonl { $0 }
        }
        let body = ExportStream.body(keys: ids, chunkSize: chunkSize, render: render) { [store] chunk in
            try await store.logs(ids: chunk)
        }
        return format.response(body, named: "logs")
    }

    private func exportAudit(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let format = try ExportFormat(query: query)
        let seqs = try await store.auditSeqs(try AuditFilter(query: query))
        let render: ExportStream.Render<StoredAuditRecord>
        switch format {
        case .csv: render = .csv(header: ExportColumn.header(AuditExportColumns.all)) { ExportColumn.line(AuditExportColumns.all, $0) }
        case .jsonl: render = .jsonl { $0 }
        }
        let body = ExportStream.body(keys: seqs, chunkSize: chunkSize, render: render) { [store] chunk in
            try await store.auditRecords(seqs: chunk)
        }
        return format.response(body, named: "audit")
    }
}

/// The `format` parameter of the exports.
enum ExportFormat: String, CaseIterable, Sendable {
    case csv
    case jsonl

    /// Reads `format` (default `csv`); another value is a 400 naming `format` and the accepted ones.
    init(query: QueryParameters) throws(ServiceError) {
        let name = try query.choice("format", among: Self.allCases.map(\.rawValue)) ?? Self.csv.rawValue
        self = Self(rawValue: name)!  // `choice` returned one of the raw values
    }

    var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8; header=present"
        case .jsonl: "application/x-ndjson; charset=utf-8"
        }
    }

    /// A 200 streaming `body` as a download named `loglama-<what>-<UTC time>.<format>`.
    func response(_ body: ResponseBody, named what: String) -> Response {
        // 2026-11-25T08:30:00.123Z -> 2026-11-25T083000Z: no characters a file system or a header would mind.
        let stamp = UTCTimestamp.now().prefix(19).filter { $0 != ":" } + "Z"
        return Response(
            status: .ok,
            headers: [
                .contentType: contentType,
                .contentDisposition: "attachment; filename=\"loglama-\(what)-\(stamp).\(rawValue)\"",
                .cacheControl: "no-store",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: body)
    }
}

/// Writes an export chunk by chunk.
enum ExportStream {
    /// How one row becomes bytes, and what comes before the first row.
    struct Render<Row>: Sendable {
        var header: String?
        var write: @Sendable (Row, inout ByteBuffer) throws -> Void

        /// CSV: the header line, then one line per row.
        static func csv(header: String, line: @escaping @Sendable (Row) -> String) -> Render {
            Render(header: header) { row, buffer in buffer.writeString(line(row)) }
        }

        /// JSON Lines: each row's JSON, encoded as `JSONResponse` encodes a body (sorted keys, unescaped slashes).
        static func jsonl<Value: Encodable & SendableMetatype>(_ value: @escaping @Sendable (Row) -> Value) -> Render {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Render(header: nil) { row, buffer in
                buffer.writeBytes(try encoder.encode(value(row)))
                buffer.writeInteger(UInt8(ascii: "\n"))
            }
        }
    }

    /// A body writing `render.header`, then the rows of `keys` in order, read by `fetch` `chunkSize` keys at a
    /// time. One buffer per chunk.
    static func body<Row: Sendable>(keys: [Int64], chunkSize: Int, render: Render<Row>,
                                    fetch: @escaping @Sendable (ArraySlice<Int64>) async throws -> [Row]) -> ResponseBody {
        ResponseBody { writer in
            if let header = render.header { try await writer.write(ByteBuffer(string: header)) }
            for start in stride(from: 0, to: keys.count, by: chunkSize) {
                var buffer = ByteBuffer()
                for row in try await fetch(keys[start..<min(start + chunkSize, keys.count)]) {
                    try render.write(row, &buffer)
                }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
    }
}
