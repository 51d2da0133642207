import ServiceHTTP

/// A CSV column of an export: its header name and how a row fills it.
struct ExportColumn<Row>: Sendable {
    var name: String
    var cell: @Sendable (Row) -> CSVCell
}

/// The CSV columns of `GET /api/logs/export`: the keys of `GET /api/logs`, in the same order; `context` is its
/// compact JSON text.
enum LogExportColumns {
    static let all: [ExportColumn<LogEntry>] = [
        .init(name: "id") { .number(String($0.id)) },
        .init(name: "timestamp") { .text($0.timestamp) },
        .init(name: "level") { .text($0.level) },
        .init(name: "level_number") { .number(String($0.levelNumber)) },
        .init(name: "logger_name") { .text($0.loggerName) },
        .init(name: "message") { .text($0.message) },
        .init(name: "file_path") { CSVCell($0.filePath) },
        .init(name: "line_number") { CSVCell($0.lineNumber) },
        .init(name: "function") { CSVCell($0.function) },
        .init(name: "module") { CSVCell($0.module) },
        .init(name: "process_id") { CSVCell($0.processID) },
        .init(name: "process_name") { CSVCell($0.processName) },
        .init(name: "thread_id") { CSVCell($0.threadID) },
        .init(name: "thread_name") { CSVCell($0.threadName) },
        .init(name: "exception_info") { CSVCell($0.exceptionInfo) },
        .init(name: "context") { .text($0.context.serialized) },
        .init(name: "request_id") { CSVCell($0.requestID) },
    ]
}

/// The CSV columns of `GET /api/audit/export`: the chain fields (`seq`, `hash`, `prev_hash`, `received_at`), then
/// every key of the audit record contract (`Sources/Bexy/Bexy/AuditRecord.swift`) with `limits` flattened to
/// `limits.<key>` (`ResourceLimits`' keys). The JSONL export carries the records whole.
enum AuditExportColumns {
    /// The record's keys in contract order; `limits` stands for its flattened keys.
    static let recordKeys = [
        "id", "time", "requester", "front_door", "profile", "code_sha256", "code_bytes", "limits", "status",
        "exit_code", "signal", "blocked_syscall", "limit_hit", "wall_ms", "cpu_ms", "peak_memory_bytes",
        "stdout_bytes", "stderr_bytes", "host_uid", "bexy_version", "code", "stdout_head", "stderr_head",
    ]

    /// The keys of `limits`, in `ResourceLimits`' order.
    static let limitKeys = [
        "wall_time_ms", "cpu_time_ms", "memory_bytes", "pids", "cpus", "open_files", "file_size_bytes", "stack_bytes",
        "stdout_bytes", "stderr_bytes", "tmp_bytes", "workdir_bytes",
    ]

    static let all: [ExportColumn<StoredAuditRecord>] = {
        var columns: [ExportColumn<StoredAuditRecord>] = [
            .init(name: "seq") { .number(String($0.seq)) },
            .init(name: "hash") { .text($0.hash) },
            .init(name: "prev_hash") { .text($0.prevHash) },
            .init(name: "received_at") { .text($0.receivedAt) },
        ]
        for key in recordKeys {
            if key == "limits" {
                columns += limitKeys.map { limit in
                    .init(name: "limits.\(limit)") { CSVCell($0.record["limits"]?[limit]) }
                }
            } else {
                columns.append(.init(name: key) { CSVCell($0.record[key]) })
            }
        }
        return columns
    }()
}

extension ExportColumn {
    /// The header line of a CSV export with these columns.
    static func header(_ columns: [ExportColumn<Row>]) -> String {
        CSVEncoder.header(columns.map(\.name))
    }

    /// The CSV line for `row`.
    static func line(_ columns: [ExportColumn<Row>], _ row: Row) -> String {
        CSVEncoder.line(columns.map { $0.cell(row) })
    }
}
