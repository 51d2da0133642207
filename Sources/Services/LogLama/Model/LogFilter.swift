import GRDB
import ServiceHTTP
import ServiceKit

/// The filters shared by `GET /api/logs`, `GET /api/stats` and `POST /api/logs/clear`, compiled to SQL.
struct LogFilter: Sendable, Equatable {
    /// Exactly this level.
    var level: LogLevel?
    /// Exactly this logger name.
    var component: String?
    /// Words that must all occur (as word prefixes) in the message or the logger name.
    var search: String?
    /// Timestamps at or after this instant (normalized text).
    var startDate: String?
    /// Timestamps at or before this instant; a bare date includes its whole day.
    var endDate: String?
    /// Timestamps strictly before this instant (the `before` of clear).
    var before: String?

    /// Reads `level`, `component` (or `logger_name`), `search`, `start_date` and `end_date` from the query.
    init(query: QueryParameters) throws(ServiceError) {
        try self.init(values: query.string)
    }

    /// Reads `level`, `component` (or `logger_name`), `search`, `start_date` and `end_date` from `values`
    /// (absent or empty values are no filter).
    init(values: (String) -> String?) throws(ServiceError) {
        if let name = values("level") {
            guard let level = LogLevel(name: name) else {
                throw .invalidParameter("level", "must be one of \(LogLevel.namesList), got \"\(name)\"")
            }
            self.level = level
        }
        component = values("component") ?? values("logger_name")
        search = values("search")?.trimmingWhitespace().nilIfEmpty
        if let start = try Self.timestamp("start_date", values) {
            startDate = UTCTimestamp.format(milliseconds: start.milliseconds)
        }
        if let end = try Self.timestamp("end_date", values) {
            endDate = Self.inclusiveEnd(end)
        }
    }

    /// Parses the timestamp parameter `name`, throwing a 400 naming it when it is not ISO 8601.
    static func timestamp(_ name: String, _ values: (String) -> String?) throws(ServiceError) -> UTCTimestamp.Parsed? {
        guard let text = values(name) else { return nil }
        guard let parsed = UTCTimestamp.parse(text) else {
            throw .invalidParameter(name, "must be an ISO 8601 date or date-time, got \"\(text)\"")
        }
        return parsed
    }

    /// The last instant a bare date covers is its last millisecond; a date-time is taken as is.
    static func inclusiveEnd(_ parsed: UTCTimestamp.Parsed) -> String {
        let last = parsed.isDateOnly ? parsed.milliseconds + UTCTimestamp.millisecondsPerDay - 1 : parsed.milliseconds
        return UTCTimestamp.format(milliseconds: last)
    }

    /// `WHERE ...` (or the empty string) and its arguments.
    var whereClause: (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let level {
            conditions.append("level_number = ?")
            arguments += [level.rawValue]
        }
        if let component {
            conditions.append("logger_name = ?")
            arguments += [component]
        }
        if let search {
            if let match = Self.ftsQuery(search) {
                conditions.append("id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)")
                arguments += [match]
            } else {
                // Nothing indexable (only punctuation): fall back to a substring scan.
                conditions.append("(instr(message, ?) > 0 OR instr(logger_name, ?) > 0)")
                arguments += [search, search]
            }
        }
        if let startDate {
            conditions.append("timestamp >= ?")
            arguments += [startDate]
        }
        if let endDate {
            conditions.append("timestamp <= ?")
            arguments += [endDate]
        }
        if let before {
            conditions.append("timestamp < ?")
            arguments += [before]
        }
        let sql = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return (sql, arguments)
    }

    /// An FTS5 query matching every word of `text` as a prefix, in the message or the logger name.
    ///
    /// Each word is quoted (FTS5 syntax in user input is never interpreted, so no input can make the query fail);
    /// words without a letter or digit are dropped. `nil` when no word is left.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace })
            .filter { $0.contains(where: { $0.isLetter || $0.isNumber }) }
            .map { "\"" + $0.replacing("\"", with: "\"\"") + "\"*" }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}

/// The order of `GET /api/logs`: `sort_by` (timestamp, level, level_number, logger_name or component, message,
/// id; default timestamp) and `sort_direction` (asc or desc; default desc). Ties are broken by id.
struct LogSort: Sendable, Equatable {
    static let columns: [String: String] = [
        "timestamp": "timestamp", "level": "level_number", "level_number": "level_number",
        "logger_name": "logger_name", "component": "logger_name", "message": "message", "id": "id",
    ]
    static let names = ["timestamp", "level", "level_number", "logger_name", "component", "message", "id"]

    var column = "timestamp"
    var descending = true

    init(query: QueryParameters) throws(ServiceError) {
        if let name = try query.choice("sort_by", among: Self.names) {
            column = Self.columns[name]!
        }
        if let direction = try query.choice("sort_direction", among: ["asc", "desc"]) {
            descending = direction == "desc"
        }
    }

    var orderClause: String {
        let direction = descending ? "DESC" : "ASC"
        return column == "id" ? "ORDER BY id \(direction)" : "ORDER BY \(column) \(direction), id \(direction)"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
