import Contracts
import ServiceHTTP
import ServiceKit

/// One log record as a client sends it to `POST /api/logs`, validated and normalized for storage.
///
/// Required: `level` (DEBUG, INFO, WARNING or WARN, ERROR, CRITICAL; any case) and `message` (a string). Optional:
/// `logger_name` or its alias `component` (default `root`), `timestamp` (ISO 8601, or Unix seconds as a number;
/// default now; stored as UTC with milliseconds), `context` (a JSON object), `request_id`, `file_path`,
/// `line_number`, `function`, `module`, `process_id`, `process_name`, `thread_id`, `thread_name`,
/// `exception_info`. Unknown keys are ignored. A wrong field throws a 400 naming it, e.g. `logs[3].level`.
struct NewLogRecord: Sendable {
    var timestamp: String
    var level: LogLevel
    var loggerName: String
    var message: String
    var filePath: String?
    var lineNumber: Int64?
    var function: String?
    var module: String?
    var processID: Int64?
    var processName: String?
    var threadID: Int64?
    var threadName: String?
    var exceptionInfo: String?
    /// The `context` object as compact JSON text, or `nil` when none was sent.
    var context: String?
    var requestID: String?

    /// The logger name used when a record names none.
    static let defaultLoggerName = "root"
}

extension NewLogRecord {
    /// Validates one record; `path` names it in errors (`logs[3]`, or empty for a single record); `now` is the
    /// timestamp of a record that has none.
    init(_ value: JSONValue, path: String, now: String) throws(ServiceError) {
        func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        guard case .object(let members) = value else {
            throw .invalidField(path.isEmpty ? "body" : path, "must be a JSON object (a log record)")
        }
        func string(_ key: String) throws(ServiceError) -> String? {
            switch members[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw .invalidField(field(key), "must be a string")
            }
        }
        func integer(_ key: String) throws(ServiceError) -> Int64? {
            switch members[key] {
            case nil, .null?: return nil
            case .integer(let number)?: return number
            case .double(let number)? where number.rounded() == number && abs(number) < 9.0e15: return Int64(number)
            default: throw .invalidField(field(key), "must be an integer")
            }
        }

        guard let levelName = try string("level") else { throw .missingField(field("level")) }
        guard let level = LogLevel(name: levelName) else {
            throw .invalidField(field("level"), "must be one of \(LogLevel.namesList), got \"\(levelName)\"")
        }
        guard let message = try string("message") else { throw .missingField(field("message")) }
        self.level = level
        self.message = message

        let loggerName = try string("logger_name")
        let component = try string("component")
        self.loggerName = [loggerName, component].compactMap { $0 }.first { !$0.isEmpty } ?? Self.defaultLoggerName

        switch members["timestamp"] {
        case nil, .null?:
            timestamp = now
        case .string(let text)?:
            guard let parsed = UTCTimestamp.parse(text) else {
                throw .invalidField(field("timestamp"),
                                    "must be an ISO 8601 date or date-time (e.g. 2026-11-25T08:30:00.123Z), got \"\(text)\"")
            }
            timestamp = UTCTimestamp.format(milliseconds: parsed.milliseconds)
        case .integer(let seconds)?:
            timestamp = try Self.fromUnixSeconds(Double(seconds), field: field("timestamp"))
        case .double(let seconds)?:
            timestamp = try Self.fromUnixSeconds(seconds, field: field("timestamp"))
        default:
            throw .invalidField(field("timestamp"), "must be an ISO 8601 string or a number of Unix seconds")
        }

        switch members["context"] {
        case nil, .null?: context = nil
        case .object(let object)?: context = object.isEmpty ? nil : JSONValue.object(object).serialized
        default: throw .invalidField(field("context"), "must be a JSON object")
        }

        requestID = try string("request_id")
        filePath = try string("file_path")
        lineNumber = try integer("line_number")
        function = try string("function")
        module = try string("module")
        processID = try integer("process_id")
        processName = try string("process_name")
        threadID = try integer("thread_id")
        threadName = try string("thread_name")
        exceptionInfo = try string("exception_info")
    }

    private static func fromUnixSeconds(_ seconds: Double, field: String) throws(ServiceError) -> String {
        let milliseconds = (seconds * 1000).rounded(.down)
        guard milliseconds.isFinite, Double(UTCTimestamp.earliest)...Double(UTCTimestamp.latest) ~= milliseconds else {
            throw .invalidField(field, "is out of range")
        }
        return UTCTimestamp.format(milliseconds: Int64(milliseconds))
    }
}

/// The body of `POST /api/logs`: one record, `{"logs": [...]}`, or a JSON array of records.
struct NewLogBatch: Sendable {
    var records: [NewLogRecord]

    /// Validates a parsed body; the first bad record stops the batch with a 400 naming it.
    init(_ body: JSONValue) throws(ServiceError) {
        let now = UTCTimestamp.now()
        switch body {
        case .object(let members):
            if let logs = members["logs"] {
                guard case .array(let values) = logs else {
                    throw .invalidField("logs", "must be an array of log records")
                }
                records = try Self.validate(values, now: now)
            } else {
                records = [try NewLogRecord(body, path: "", now: now)]
            }
        case .array(let values):
            records = try Self.validate(values, now: now)
        default:
            throw .invalidBody("the body must be a log record object, {\"logs\": [records]}, or a JSON array of records")
        }
    }

    private static func validate(_ values: [JSONValue], now: String) throws(ServiceError) -> [NewLogRecord] {
        var records: [NewLogRecord] = []
        records.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            records.append(try NewLogRecord(value, path: "logs[\(index)]", now: now))
        }
        return records
    }
}
