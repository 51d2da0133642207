import NIOCore

/// One log record in LogLama's `POST /api/logs` wire format, ready to be buffered and shipped.
///
/// Every field maps to a key of the LogLama contract: `level`, `message`, `logger_name`, `timestamp` (UTC
/// ISO 8601 with milliseconds), `context` (an object of strings), `request_id`, `file_path`, `function`,
/// `line_number`, `module` and `exception_info`. Optional fields that are `nil` are left out of the JSON.
public struct ShippedLogRecord: Sendable, Equatable {
    /// A LogLama level name: `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    public var level: String
    public var message: String
    /// The logger's label (LogLama's `logger_name`, also queried as `component`).
    public var loggerName: String
    /// UTC, ISO 8601 with milliseconds, e.g. `2026-11-25T08:30:00.123Z`.
    public var timestamp: String
    /// Metadata flattened to strings; empty means no `context` key is sent.
    public var context: [String: String]
    public var requestID: String?
    public var filePath: String?
    public var function: String?
    public var lineNumber: Int?
    /// The swift-log source (the emitting module).
    public var module: String?
    public var exceptionInfo: String?

    public init(level: String, message: String, loggerName: String, timestamp: String,
                context: [String: String] = [:], requestID: String? = nil, filePath: String? = nil,
                function: String? = nil, lineNumber: Int? = nil, module: String? = nil,
                exceptionInfo: String? = nil) {
        self.level = level
        self.message = message
        self.loggerName = loggerName
        self.timestamp = timestamp
        self.context = context
        self.requestID = requestID
        self.filePath = filePath
        self.function = function
        self.lineNumber = lineNumber
        self.module = module
        self.exceptionInfo = exceptionInfo
    }

    /// Appends this record as one compact JSON object.
    func writeJSON(to buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"level\":")
        JSONText.writeString(level, to: &buffer)
        buffer.writeStaticString(",\"message\":")
        JSONText.writeString(message, to: &buffer)
        buffer.writeStaticString(",\"logger_name\":")
        JSONText.writeString(loggerName, to: &buffer)
        buffer.writeStaticString(",\"timestamp\":")
        JSONText.writeString(timestamp, to: &buffer)
        if !context.isEmpty {
            buffer.writeStaticString(",\"context\":{")
            var first = true
            for key in context.keys.sorted() {
                if !first { buffer.writeStaticString(",") }
                first = false
                JSONText.writeString(key, to: &buffer)
                buffer.writeStaticString(":")
                JSONText.writeString(context[key]!, to: &buffer)
            }
            buffer.writeStaticString("}")
        }
        if let requestID {
            buffer.writeStaticString(",\"request_id\":")
            JSONText.writeString(requestID, to: &buffer)
        }
        if let filePath {
            buffer.writeStaticString(",\"file_path\":")
            JSONText.writeString(filePath, to: &buffer)
        }
        if let function {
            buffer.writeStaticString(",\"function\":")
            JSONText.writeString(function, to: &buffer)
        }
        if let lineNumber {
            buffer.writeStaticString(",\"line_number\":")
            buffer.writeString(String(lineNumber))
        }
        if let module {
            buffer.writeStaticString(",\"module\":")
            JSONText.writeString(module, to: &buffer)
        }
        if let exceptionInfo {
            buffer.writeStaticString(",\"exception_info\":")
            JSONText.writeString(exceptionInfo, to: &buffer)
        }
        buffer.writeStaticString("}")
    }

    /// The body of one `POST /api/logs`: `{"logs":[...]}`.
    static func batchBody(_ records: some Collection<ShippedLogRecord>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + records.count * 256)
        buffer.writeStaticString("{\"logs\":[")
        var first = true
        for record in records {
            if !first { buffer.writeStaticString(",") }
            first = false
            record.writeJSON(to: &buffer)
        }
        buffer.writeStaticString("]}")
        return buffer
    }
}
