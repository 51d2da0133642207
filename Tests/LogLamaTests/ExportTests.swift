import Bexy
import Contracts
import FoundationEssentials
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import ServiceKit
import Testing

@testable import LogLama

/// A response read as text: status, headers and body.
struct TextReply {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String

    /// The `Content-Type` without parameters (`text/csv`).
    var mediaType: String? {
        headers[.contentType]?.split(separator: ";").first.map { $0.trimmingWhitespace() }
    }
}

extension TestClientProtocol {
    /// `GET uri`, its body as UTF-8 text.
    func text(_ uri: String) async throws -> TextReply {
        let response = try await execute(uri: uri, method: .get)
        return TextReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Every element of `key` over all pages of a listing (`/api/logs` or `/api/audit`), 1000 per page.
    func allPages(_ path: String, _ query: String, key: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var page = 1
        while true {
            let listing = try await get("\(path)?\(query)&page_size=1000&page=\(page)")
            items += listing[key]?.array ?? []
            guard page < (listing["pages"]?.int ?? 0) else { return items }
            page += 1
        }
    }
}

/// A strict RFC 4180 reader, to check exports: CRLF between records, quoted fields with doubled quotes, nothing
/// after a closing quote but a comma or a line end. A bare LF outside quotes is an error.
func parseCSV(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String]] {
    struct Malformed: Error, CustomStringConvertible { var description: String }
    var records: [[String]] = []
    var record: [String] = []
    var field: [Unicode.Scalar] = []
    var scalars = Array(text.unicodeScalars)[...]
    func endField() {
        var string = ""
        string.unicodeScalars.append(contentsOf: field)
        record.append(string)
        field = []
    }
    while let scalar = scalars.popFirst() {
        switch scalar {
        case "\"" where field.isEmpty:
            while true {
                guard let inner = scalars.popFirst() else { throw Malformed(description: "unterminated quoted field") }
                if inner == "\"" {
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        field.append("\"")
                    } else {
                        break
                    }
                } else {
                    field.append(inner)
                }
            }
            guard scalars.isEmpty || scalars.first == "," || scalars.first == "\r" else {
                throw Malformed(description: "data after a closing quote in record \(records.count)")
            }
        case ",":
            endField()
        case "\r":
            guard scalars.popFirst() == "\n" else { throw Malformed(description: "CR without LF in record \(records.count)") }
            endField()
            records.append(record)
            record = []
        case "\n":
            throw Malformed(description: "bare LF outside quotes in record \(records.count)")
        case "\"":
            throw Malformed(description: "quote inside an unquoted field in record \(records.count)")
        default:
            field.append(scalar)
        }
    }
    guard field.isEmpty, record.isEmpty else { throw Malformed(description: "the last record does not end with CRLF") }
    return records
}

/// The rows of a CSV export as dictionaries by header name.
func csvRows(_ text: String) throws -> (header: [String], rows: [[String: String]]) {
    let records = try parseCSV(text)
    let header = try #require(records.first)
    let rows = records.dropFirst().map { record in
        #expect(record.count == header.count, "a row has \(record.count) cells for \(header.count) columns")
        return Dictionary(uniqueKeysWithValues: zip(header, record))
    }
    return (header, rows)
}

/// The non-empty lines of a JSONL export, each parsed.
func jsonLines(_ text: String) throws -> [JSONValue] {
    #expect(text.isEmpty || text.hasSuffix("\n"), "a JSONL export ends with a newline")
    return try text.split(separator: "\n").map { line in try #require(JSONValue.parse(String(line)), "not JSON: \(line)") }
}

/// 2,345 logs (more than two export chunks of 1000) over 50 distinct timestamps, 5 levels and 3 components: many
/// rows tie on every sort column, so the order must come from the same tie-break (id) as `GET /api/logs`.
private func manyLogs() -> String {
    let levels = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
    let components = ["app.web", "app.db", "worker"]
    let logs = (0..<2345).map { index in
        let second = String(index % 50).leftPadded(to: 2)
        return """
            {"timestamp": "2026-02-01T10:00:\(second).000Z", "level": "\(levels[index % 5])", \
            "logger_name": "\(components[index % 3])", "message": "event \(index % 7) number \(index)", \
            "context": {"n": \(index)}}
            """
    }
    return "{\"logs\": [" + logs.joined(separator: ",") + "]}"
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

@Suite("GET /api/logs/export and /api/audit/export") struct ExportTests {
    @Test func logExportsMatchTheListingInBothFormats() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            #expect(try await client.postLogs(manyLogs()) == 2345)
            let queries = [
                "", "sort_direction=asc", "sort_by=level&sort_direction=asc", "sort_by=component&sort_direction=desc",
                "sort_by=message&sort_direction=asc", "sort_by=id&sort_direction=desc", "level=ERROR",
                "component=app.db&level=warn", "search=event+3", "start_date=2026-02-01T10:00:10Z&end_date=2026-02-01T10:00:20Z",
                "component=worker&sort_by=level&sort_direction=desc&start_date=2026-02-01T10:00:30Z",
            ]
            for query in queries {
                let listed = try await client.allPages("/api/logs", query, key: "logs")
                #expect(!listed.isEmpty, "\(query)")

                let jsonl = try await client.text("/api/logs/export?format=jsonl&\(query)")
                #expect(jsonl.status == .ok, "\(query): \(jsonl.text.prefix(300))")
                #expect(jsonl.mediaType == "application/x-ndjson")
                let exported = try jsonLines(jsonl.text)
                #expect(exported.count == listed.count, "\(query)")
                #expect(exported == listed, "\(query): the JSONL lines differ from GET /api/logs")

                let csv = try await client.text("/api/logs/export?format=csv&\(query)")
                #expect(csv.status == .ok)
                #expect(csv.mediaType == "text/csv")
                let (header, rows) = try csvRows(csv.text)
                #expect(header == LogExportColumns.all.map(\.name))
                #expect(rows.map { $0["id"] } == listed.map { $0["id"]?.int.map(String.init) }, "\(query)")
                #expect(rows.map { $0["message"] } == listed.map { $0["message"]?.string }, "\(query)")
                #expect(rows.map { $0["context"] } == listed.map { $0["context"]?.serialized }, "\(query)")
            }
            // Everything, by default newest first, and the file names its contents.
            let all = try await client.text("/api/logs/export")
            #expect(all.mediaType == "text/csv")  // csv is the default format
            #expect(try parseCSV(all.text).count == 2346)
            let disposition = try #require(all.headers[.contentDisposition])
            #expect(disposition.hasPrefix("attachment; filename=\"loglama-logs-"), "\(disposition)")
            #expect(disposition.hasSuffix(".csv\""), "\(disposition)")
            let jsonlName = try await client.text("/api/logs/export?format=jsonl").headers[.contentDisposition]
            #expect(jsonlName?.hasSuffix(".jsonl\"") == true, "\(jsonlName ?? "none")")
            // A filter matching nothing: only the header, or nothing at all.
            #expect(try await client.text("/api/logs/export?component=nobody").text == CSVEncoder.header(LogExportColumns.all.map(\.name)))
            #expect(try await client.text("/api/logs/export?component=nobody&format=jsonl").text == "")
        }
    }

    @Test func auditExportsMatchTheListingInBothFormats() async throws {
        let harness = try Harness()
        let statuses: [ExecutionStatus] = [.ok, .timeout, .ok, .memoryLimit, .syscallBlocked, .runtimeError]
        let requesters = ["alice", "bob", "carol"]
        let records = (0..<1100).map { index in
            makeAuditRecord(status: statuses[index % statuses.count], profile: index % 4 == 0 ? "standard" : "strict",
                            requester: requesters[index % 3],
                            time: UTCTimestamp.format(milliseconds: 1_790_000_000_000 + Int64(index) * 60_000))
        }
        _ = try await harness.store.appendAudit(Array(records[..<600]))
        _ = try await harness.store.appendAudit(Array(records[600...]))
        try await harness.run { client async throws in
            let since = UTCTimestamp.format(milliseconds: 1_790_000_000_000 + 100 * 60_000)
            let until = UTCTimestamp.format(milliseconds: 1_790_000_000_000 + 900 * 60_000)
            let queries = [
                "", "sort_direction=asc", "status=timeout", "profile=standard&requester=bob",
                "since=\(since)&until=\(until)", "status=ok&since=\(since)&sort_direction=asc",
            ]
            for query in queries {
                let listed = try await client.allPages("/api/audit", query, key: "records")
                #expect(!listed.isEmpty, "\(query)")

                let jsonl = try await client.text("/api/audit/export?format=jsonl&\(query)")
                #expect(jsonl.status == .ok, "\(query): \(jsonl.text.prefix(300))")
                let exported = try jsonLines(jsonl.text)
                #expect(exported.count == listed.count, "\(query)")
                #expect(exported == listed, "\(query): the JSONL lines differ from GET /api/audit")

                let csv = try await client.text("/api/audit/export?format=csv&\(query)")
                let (_, rows) = try csvRows(csv.text)
                #expect(rows.map { $0["seq"] } == listed.map { $0["seq"]?.int.map(String.init) }, "\(query)")
                #expect(rows.map { $0["id"] } == listed.map { $0["record"]?["id"]?.string }, "\(query)")
                #expect(rows.map { $0["hash"] } == listed.map { $0["hash"]?.string }, "\(query)")
            }
            #expect(try await client.text("/api/audit/export?format=jsonl").text.split(separator: "\n").count == 1100)

            // A JSONL line is byte for byte what GET /api/audit/{id} returns, chain fields included.
            let lines = try await client.text("/api/audit/export?format=jsonl&sort_direction=asc").text.split(separator: "\n")
            for index in [0, 599, 600, 1099] {
                let single = try await client.text("/api/audit/\(records[index].id)")
                #expect(String(lines[index]) == single.text)
            }
            #expect(try jsonLines(String(lines[1]) + "\n").first?["prev_hash"] == jsonLines(String(lines[0]) + "\n").first?["hash"])

            // CSV: the chain fields, then every key of the record contract with `limits` flattened.
            let csv = try await client.text("/api/audit/export?format=csv&sort_direction=asc")
            let (header, rows) = try csvRows(csv.text)
            let contract = try #require(JSONValue.parse(String(decoding: try JSONEncoder().encode(records[0]), as: UTF8.self)))
            guard case .object(let members) = contract, case .object(let limits)? = members["limits"] else {
                Issue.record("an encoded AuditRecord is not an object with a limits object")
                return
            }
            let expected = Set(members.keys.filter { $0 != "limits" }).union(limits.keys.map { "limits.\($0)" })
            #expect(Array(header.prefix(4)) == ["seq", "hash", "prev_hash", "received_at"])
            #expect(Set(header.dropFirst(4)) == expected, "the CSV columns drifted from AuditRecord")
            #expect(header.count == expected.count + 4)
            let timeout = try #require(rows.first { $0["id"] == records[1].id })
            #expect(timeout["status"] == "timeout")
            #expect(timeout["exit_code"] == "")
            #expect(timeout["signal"] == "9")
            #expect(timeout["limit_hit"] == "wall")
            #expect(timeout["limits.memory_bytes"] == String(128 << 20))
            #expect(timeout["limits.cpus"] == "1")  // the stored canonical JSON writes a whole double as 1
            #expect(timeout["front_door"] == "cli")
            #expect(timeout["seq"] == "2")
            let auditName = csv.headers[.contentDisposition] ?? ""
            #expect(auditName.hasPrefix("attachment; filename=\"loglama-audit-") && auditName.hasSuffix(".csv\""), "\(auditName)")
        }
    }

    @Test func csvQuotesAndNeutralizesFormulas() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let tricky = "He said \"hi\", then left\r\nand came back\n"
            let formulas = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTAB first", "\rCR first"]
            var logs: [[String: JSONValue]] = [
                ["level": "INFO", "message": .string(tricky), "logger_name": "quotes", "context": .object(["a": .integer(1)])],
                ["level": "INFO", "message": "naïve café ☕ 日本", "logger_name": "=HYPERLINK(\"http://evil\")"],
                ["level": "INFO", "message": "safe - not first", "logger_name": "plain"],
            ]
            logs += formulas.map { ["level": "WARNING", "message": .string($0), "logger_name": "formulas"] }
            let body = JSONValue.object(["logs": .array(logs.map(JSONValue.object))]).serialized
            #expect(try await client.postLogs(body) == 9)

            let csv = try await client.text("/api/logs/export?format=csv&sort_by=id&sort_direction=asc")
            #expect(csv.text.contains("\"He said \"\"hi\"\", then left\r\nand came back\n\""))
            #expect(csv.text.contains(",\"{\"\"a\"\":1}\","))
            let (_, rows) = try csvRows(csv.text)
            #expect(rows.count == 9)
            #expect(rows[0]["message"] == tricky)
            #expect(rows[0]["context"] == "{\"a\":1}")
            #expect(rows[0]["level_number"] == "20")
            #expect(rows[1]["message"] == "naïve café ☕ 日本")
            #expect(rows[1]["logger_name"] == "'=HYPERLINK(\"http://evil\")")
            #expect(rows[2]["message"] == "safe - not first")
            #expect(rows[3...].map { $0["message"] } == formulas.map { "'" + $0 })
            #expect(rows.allSatisfy { $0["file_path"] == "" })
        }
    }

    @Test func csvEncoderUnits() {
        #expect(CSVEncoder.line([.text("a"), .empty, .number("-1"), .text("-1")]) == "a,,-1,'-1\r\n")
        #expect(CSVEncoder.line([.text("x,y"), .text("say \"q\"")]) == "\"x,y\",\"say \"\"q\"\"\"\r\n")
        // A quote followed by a combining mark is one Character, and still a quote a CSV reader sees.
        #expect(CSVEncoder.quotedIfNeeded("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
        #expect(CSVEncoder.neutralized("=\u{301}x") == "'=\u{301}x")
        #expect(CSVEncoder.neutralized("\r\nx") == "'\r\nx")
        #expect(CSVEncoder.neutralized("a=b") == "a=b")
        #expect(CSVCell(JSONValue.bool(true)) == .number("true"))
        #expect(CSVCell(JSONValue.null) == .empty)
        #expect(CSVCell(JSONValue.array([.integer(1)])) == .text("[1]"))
    }

    @Test func badParametersAreNamedBeforeAnythingIsSent() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            try await client.postLogs(#"{"level": "INFO", "message": "one"}"#)
            let cases = [
                ("/api/logs/export?format=xml", "format"),
                ("/api/audit/export?format=XLSX", "format"), ("/api/logs/export?format=csv&level=LOUD", "level"),
                ("/api/logs/export?sort_by=color", "sort_by"), ("/api/logs/export?start_date=soon", "start_date"),
                ("/api/audit/export?status=weird", "status"), ("/api/audit/export?since=yesterday", "since"),
            ]
            for (uri, field) in cases {
                let reply = try await client.send(.get, uri)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.json.errorField == field, "\(uri): \(reply.json)")
                #expect(reply.json.errorCode == "invalid_parameter", "\(uri)")
            }
            let empty = try await client.text("/api/logs/export?format=")  // empty is absent: the default, csv
            #expect(empty.status == .ok)
            #expect(empty.mediaType == "text/csv")
            let named = try await client.send(.get, "/api/logs/export?format=pdf")
            #expect(named.json["error"]?["message"]?.string?.contains("csv, jsonl") == true, "\(named.json)")
        }
    }
}
