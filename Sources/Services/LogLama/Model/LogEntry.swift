import Contracts
import GRDB
import ServiceHTTP

/// A stored log record as the query API returns it; every key is always present (`null` when absent).
///
/// Keys: `id`, `timestamp` (UTC ISO 8601 with milliseconds), `level`, `level_number`, `logger_name`, `message`,
/// `file_path`, `line_number`, `function`, `module`, `process_id`, `process_name`, `thread_id`, `thread_name`,
/// `exception_info`, `context` (an object, `{}` when none) and `request_id`.
struct LogEntry: Encodable, Sendable {
    var id: Int64
    var timestamp: String
    var level: String
    var levelNumber: Int
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
    var context: JSONValue
    var requestID: String?

    /// The columns `init(row:)` reads, in order.
    static let columns = """
        id, timestamp, level, level_number, logger_name, message, file_path, line_number, function, module, \
        process_id, process_name, thread_id, thread_name, exception_info, context, request_id
        """

    init(row: Row) {
        id = row[0]
        timestamp = row[1]
        level = row[2]
        levelNumber = row[3]
        loggerName = row[4]
        message = row[5]
        filePath = row[6]
        lineNumber = row[7]
        function = row[8]
        module = row[9]
        processID = row[10]
        processName = row[11]
        threadID = row[12]
        threadName = row[13]
        exceptionInfo = row[14]
        let contextText: String? = row[15]
        context = contextText.flatMap(JSONValue.parse) ?? .object([:])
        requestID = row[16]
    }

    enum CodingKeys: String, CodingKey {
        case id, timestamp, level, message, function, module, context
        case levelNumber = "level_number"
        case loggerName = "logger_name"
        case filePath = "file_path"
        case lineNumber = "line_number"
        case processID = "process_id"
        case processName = "process_name"
        case threadID = "thread_id"
        case threadName = "thread_name"
        case exceptionInfo = "exception_info"
        case requestID = "request_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(level, forKey: .level)
        try container.encode(levelNumber, forKey: .levelNumber)
        try container.encode(loggerName, forKey: .loggerName)
        try container.encode(message, forKey: .message)
        try container.encode(filePath, forKey: .filePath)
        try container.encode(lineNumber, forKey: .lineNumber)
        try container.encode(function, forKey: .function)
        try container.encode(module, forKey: .module)
        try container.encode(processID, forKey: .processID)
        try container.encode(processName, forKey: .processName)
        try container.encode(threadID, forKey: .threadID)
        try container.encode(threadName, forKey: .threadName)
        try container.encode(exceptionInfo, forKey: .exceptionInfo)
        try container.encode(context, forKey: .context)
        try container.encode(requestID, forKey: .requestID)
    }
}
