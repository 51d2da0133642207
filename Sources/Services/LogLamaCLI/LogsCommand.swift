import ArgumentParser
import Contracts
import ServiceHTTP
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `loglama logs`: the newest logs from a running LogLama, oldest first, and with `--follow` new ones as they come.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Read logs from LogLama (LOGLAMA_URL).")

    @Option(help: "Only this level (DEBUG, INFO, WARNING, ERROR, CRITICAL).")
    var level: String?

    @Option(help: "Only this component (logger name).")
    var component: String?

    @Option(help: "Only logs at or after this time: ISO 8601, or a duration back from now (15m, 2h, 7d).")
    var since: String?

    @Option(help: "Only logs whose message or component contains this text (full-text search).")
    var search: String?

    @Option(help: "How many of the newest logs to show first (1-1000).")
    var limit = 50

    @Flag(help: "Keep printing new logs as they arrive (Ctrl-C stops).")
    var follow = false

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    @Option(help: "Seconds between polls with --follow.")
    var interval = 1.0

    func validate() throws {
        if let since, TimeWindow.instant(since) == nil { throw ValidationError("--since '\(since)': \(TimeWindow.expected)") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1-1000") }
        guard interval > 0, interval <= 3600 else { throw ValidationError("--interval must be 0-3600 seconds") }
    }

    func run() async throws {
        let client = ServiceClient.logLama(configuration: try PyLamaConfiguration.load())
        var filters: [(String, String)] = []
        if let level { filters.append(("level", level)) }
        if let component { filters.append(("component", component)) }
        if let search { filters.append(("search", search)) }
        let start = since.flatMap { TimeWindow.instant($0) }

        // The newest `limit` logs, printed oldest first.
        var query = filters + [("page_size", String(limit)), ("sort_by", "timestamp"), ("sort_direction", "desc")]
        if let start { query.append(("start_date", start)) }
        var cursor = FollowCursor(start: start)
        for entry in try await client.get("/api/logs", query: query)["logs"]?.array.reversed() ?? [] {
            cursor.note(entry)
            print(render(entry))
        }
        fflush(nil)
        while follow {
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            var page = filters + [("page_size", "1000"), ("sort_by", "timestamp"), ("sort_direction", "asc")]
            if let from = cursor.timestamp { page.append(("start_date", from)) }
            for entry in try await client.get("/api/logs", query: page)["logs"]?.array ?? []
            where cursor.isNew(entry) {
                cursor.note(entry)
                print(render(entry))
            }
            fflush(nil)  // a pipe is block-buffered: a follower must see each poll's lines now
        }
    }

    /// `2026-11-25T10:00:00.123Z INFO     component: message {context}`, or the record as JSON.
    private func render(_ entry: JSONValue) -> String {
        if json { return entry.serialized }
        let level = entry["level"]?.text ?? "?"
        var line = "\(entry["timestamp"]?.text ?? "?") \(level.padding(8)) \(entry["logger_name"]?.text ?? "?"): "
            + (entry["message"]?.text ?? "")
        if case .object(let members)? = entry["context"], !members.isEmpty {
            line += " " + (entry["context"]?.serialized ?? "")
        }
        return line
    }
}

/// Where `--follow` is: the newest timestamp printed and the ids printed at that timestamp (the next poll asks from
/// that timestamp on, inclusive, so nothing logged in the same millisecond is missed and nothing is printed twice).
struct FollowCursor {
    private(set) var timestamp: String?
    private var idsAtTimestamp: Set<Int64> = []

    init(start: String?) { timestamp = start }

    func isNew(_ entry: JSONValue) -> Bool {
        guard let stamp = entry["timestamp"]?.text else { return false }
        if let timestamp, stamp < timestamp { return false }
        guard case .integer(let id)? = entry["id"] else { return true }
        return !(stamp == timestamp && idsAtTimestamp.contains(id))
    }

    mutating func note(_ entry: JSONValue) {
        guard let stamp = entry["timestamp"]?.text else { return }
        if timestamp == nil || stamp > timestamp! {
            timestamp = stamp
            idsAtTimestamp = []
        }
        if stamp == timestamp, case .integer(let id)? = entry["id"] { idsAtTimestamp.insert(id) }
    }
}
