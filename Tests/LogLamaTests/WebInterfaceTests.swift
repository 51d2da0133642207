import Bexy
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceHTTP
import Testing

@testable import LogLama

/// `node` from `PATH`, if there is one.
private let nodePath: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .map { "\($0)/node" }.first { FileManager.default.isExecutableFile(atPath: $0) }

/// Every match of `pattern` in `text`, as the text of capture group `group`.
private func matches(_ pattern: String, in text: String, group: Int = 0) throws -> [String] {
    let regex = try NSRegularExpression(pattern: pattern)
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
        Range(match.range(at: group), in: text).map { String(text[$0]) }
    }
}

@Suite("GET / and the web interface's static files") struct WebInterfaceTests {
    static let files = [
        ("/", "text/html"), ("/static/loglama.js", "text/javascript"), ("/static/loglama.css", "text/css"),
    ]

    @Test func pageAndStaticFilesCarryTheirTypesAndTheSecurityHeaders() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            for (path, type) in Self.files {
                let reply = try await client.text(path)
                #expect(reply.status == .ok, "\(path)")
                #expect(reply.mediaType == type, "\(path): \(reply.headers[.contentType] ?? "none")")
                #expect(reply.headers[.contentType]?.contains("charset=utf-8") == true, "\(path)")
                #expect(reply.headers[HTTPField.Name("Content-Security-Policy")!] == """
                    default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                    frame-ancestors 'none'; base-uri 'none'; form-action 'self'
                    """, "\(path)")
                #expect(reply.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                #expect(reply.headers[.cacheControl] == "no-cache", "\(path)")
                #expect(reply.text.utf8.count > 1000, "\(path) is suspiciously small")
            }
            let missing = try await client.send(.get, "/static/other.js")
            #expect(missing.status == .notFound)
        }
    }

    @Test func pageHasNoInlineCodeOrStyleAndOnlyRelativeLinks() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let html = try await client.text("/").text
            #expect(try matches("<script\\b[^>]*>", in: html) == ["<script src=\"static/loglama.js\" defer>"])
            #expect(html.contains("<script src=\"static/loglama.js\" defer></script>"), "a script element has a body")
            #expect(try matches("<style\\b", in: html).isEmpty)
            #expect(try matches("\\sstyle\\s*=", in: html).isEmpty, "inline style attribute")
            #expect(try matches("\\son[a-z]+\\s*=", in: html).isEmpty, "inline event handler")
            #expect(try matches("javascript:", in: html).isEmpty)
            let links = try matches("(?:href|src|action)\\s*=\\s*\"([^\"]*)\"", in: html, group: 1)
            #expect(links.count >= 6)
            for link in links {
                #expect(!link.hasPrefix("/") && !link.contains("//") && !link.contains(":"), "not relative: \(link)")
            }
            // The filters offer exactly what the API accepts.
            for level in LogLevel.allCases {
                #expect(html.contains("<option value=\"\(level.name)\">"), "level \(level.name)")
            }
            for status in ExecutionStatus.allCases {
                #expect(html.contains("<option value=\"\(status.rawValue)\">"), "status \(status.rawValue)")
            }
            for size in [50, 100, 200, 500] {
                #expect(html.contains("<option value=\"\(size)\""), "page size \(size)")
            }
            for tab in ["logs", "audit", "services"] {
                #expect(html.contains("data-tab=\"\(tab)\""), "tab \(tab)")
            }
        }
    }

    /// The page is a static file now: its level and status filters must still offer exactly what the API accepts,
    /// no more and no fewer, in the order of `LogLevel` and `ExecutionStatus`.
    @Test func pageFiltersOfferExactlyTheLevelsAndStatusesTheAPIAccepts() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let html = try await client.text("/").text.replacingOccurrences(of: "\n", with: " ")
            func choices(of name: String) throws -> [String] {
                let selects = try matches("<select name=\"\(name)\">(.*?)</select>", in: html, group: 1)
                let select = try #require(selects.first, "no <select name=\"\(name)\">")
                return try matches("<option value=\"([^\"]*)\">", in: select, group: 1)
            }
            #expect(try choices(of: "level") == [""] + LogLevel.allCases.map(\.name))
            #expect(try choices(of: "status") == [""] + ExecutionStatus.allCases.map(\.rawValue))
        }
    }

    @Test func scriptHasNoHTMLSinksAndFetchesOnlyRelativeURLs() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let script = try await client.text("/static/loglama.js").text
            let forbidden = [
                "innerHTML", "outerHTML", "insertAdjacentHTML", "document\\.write", "\\beval\\s*\\(",
                "new\\s+Function\\b", "\\bFunction\\s*\\(", "set(?:Timeout|Interval)\\s*\\(\\s*[\"'`]", "srcdoc",
                "\\.html\\s*\\(", "createContextualFragment", "DOMParser",
            ]
            for pattern in forbidden {
                #expect(try matches(pattern, in: script).isEmpty, "the script contains \(pattern)")
            }
            // Every fetch goes through one helper whose argument is a variable, never a literal URL.
            #expect(try matches("\\bfetch\\s*\\(([^,)]*)", in: script, group: 1) == ["url"])
            // Every string literal naming an API path is relative; no absolute or protocol-relative URL anywhere.
            let literals = try matches("\"((?:[^\"\\\\\\n]|\\\\.)*)\"|'((?:[^'\\\\\\n]|\\\\.)*)'", in: script)
            let apiLiterals = literals.filter { $0.contains("api/") }
            #expect(apiLiterals.count >= 4, "\(apiLiterals)")
            for literal in apiLiterals {
                #expect(literal.dropFirst().hasPrefix("api/"), "not a relative API URL: \(literal)")
            }
            #expect(try matches("[\"'`](?:https?:)?//", in: script).isEmpty, "an absolute URL literal")
            for path in ["\"api/components\"", "\"api/services\"", "\"api/audit/verify\"", "\"api/logs/clear\"", "\"health\""] {
                let used = script.contains(path)
                #expect(used, "the script does not use \(path)")
            }
            // Data reaches the DOM as text.
            #expect(script.contains(".textContent ="))
            #expect(try matches("\\.setAttribute\\(", in: script).count >= 3)
        }
    }

    @Test func hostileLogTextIsServedAsJSONAndNeverEmbeddedInThePage() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let before = try await client.text("/")
            let script = try await client.text("/static/loglama.js")
            let payload = "<img src=x onerror=alert(1)>"
            let log = JSONValue.object([
                "level": "ERROR", "message": .string(payload), "logger_name": "<script>alert(2)</script>",
                "context": .object(["html": .string(payload)]),
            ])
            try await client.postLogs(log.serialized)

            let listing = try await client.execute(uri: "/api/logs", method: .get)
            #expect(listing.headers[.contentType] == "application/json; charset=utf-8")
            let body = String(buffer: listing.body)
            let parsed = try #require(JSONValue.parse(body))
            #expect(parsed["logs"]?[0]?["message"]?.string == payload)
            #expect(parsed["logs"]?[0]?["context"]?["html"]?.string == payload)
            // The payload only ever appears inside a JSON string literal.
            #expect(body.contains("\"message\":\"\(payload)\""))

            let after = try await client.text("/")
            #expect(after.text == before.text, "the page changed after a log was stored: it embeds data")
            #expect(!after.text.contains("onerror") && !after.text.contains("alert("))
            #expect(try await client.text("/static/loglama.js").text == script.text)
        }
    }

    @Test(.enabled(if: nodePath != nil, "node is not on PATH: the script's helpers cannot be run"))
    func scriptHelpersUnderNode() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            let script = try await client.text("/static/loglama.js").text
            try script.write(toFile: harness.directory + "/loglama.js", atomically: true, encoding: .utf8)
            let driver = #"""
                const h = require(process.argv[2]);
                const attempt = (f) => { try { return f(); } catch (e) { return "threw"; } };
                process.stdout.write(JSON.stringify({
                  query: h.queryString({ level: "ERROR", component: "", search: "a b&c=d/é", page: 2, none: null }),
                  url: h.apiUrl("api/logs", { page_size: 50, search: "" }),
                  bare: h.apiUrl("api/components"),
                  absolute: attempt(() => h.apiUrl("/api/logs", {})),
                  remote: attempt(() => h.apiUrl("http://evil/api/logs", {})),
                  exportLogs: h.exportHref("logs", "csv", { level: "ERROR", search: "event 3", page: 3, page_size: 200,
                                                           sort_by: "level", sort_direction: "asc", component: "" }),
                  exportAudit: h.exportHref("audit", "jsonl", { status: "timeout", requester: "", page: 1 }),
                  local: h.localToUtcIso("2026-03-01T12:30"),
                  localSeconds: h.localToUtcIso("2026-03-01T00:30:15"),
                  localEmpty: h.localToUtcIso(""),
                  localInvalid: h.localToUtcIso("yesterday"),
                  time: h.formatTimestamp("2026-01-02T03:04:05.678Z"),
                  timeOther: h.formatTimestamp("<b>x</b>"),
                  bytes: [0, 512, 1536, 9000000, null].map((b) => h.formatBytes(b)),
                  durations: [42, 8.247862, 1500, 125000, null].map((d) => h.formatDuration(d)),
                  limits: [h.formatLimit("memory_bytes", 134217728), h.formatLimit("wall_time_ms", 10000), h.formatLimit("cpus", 1.5)],
                  pretty: h.prettyJSON({ a: 1, b: [true] }),
                  sortSame: h.nextSort({ sort_by: "timestamp", sort_direction: "desc" }, "timestamp"),
                  sortOther: h.nextSort({ sort_by: "timestamp", sort_direction: "desc" }, "level"),
                  sortTime: h.nextSort({ sort_by: "level", sort_direction: "asc" }, "timestamp"),
                  newer: h.newLogsQuery({ level: "ERROR", start_date: "2026-01-01T00:00:00.000Z" }, "2026-02-01T00:00:00.000Z"),
                  newerEmpty: h.newLogsQuery({ level: "ERROR" }, null),
                  labels: [1, 7].map((n) => h.newLogsLabel(n)),
                  sizes: ["50", "500", "75", "abc"].map((s) => h.pageSize(s)),
                  pager: h.pagerLabel(2, 5, 432, "log"),
                  links: ["http://127.0.0.1:8000/", "javascript:alert(1)", "data:text/html,x", "not a url"].map((u) => h.safeHttpUrl(u)),
                  errors: [h.describeError(400, { error: { message: "query parameter `level` is bad" } }), h.describeError(502, null)],
                  classes: [h.levelClass("ERROR"), h.levelClass("<x>"), h.statusClass("ok"), h.statusClass("runtime_error"),
                            h.statusClass("timeout")],
                }));
                """#
            try driver.write(toFile: harness.directory + "/driver.js", atomically: true, encoding: .utf8)

            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(nodePath))
            process.arguments = [harness.directory + "/driver.js", harness.directory + "/loglama.js"]
            process.environment = ["TZ": "Etc/GMT-2", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]  // UTC+2
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "node failed: \(stderr)")
            let result = try #require(JSONValue.parse(stdout), "node printed: \(stdout) \(stderr)")
            func strings(_ key: String) -> [String?] { (result[key]?.array ?? []).map { $0.string } }

            #expect(result["query"] == "level=ERROR&search=a%20b%26c%3Dd%2F%C3%A9&page=2")
            #expect(result["url"] == "api/logs?page_size=50")
            #expect(result["bare"] == "api/components")
            #expect(result["absolute"] == "threw")
            #expect(result["remote"] == "threw")
            #expect(result["exportLogs"] == "api/logs/export?format=csv&level=ERROR&search=event%203&sort_by=level&sort_direction=asc")
            #expect(result["exportAudit"] == "api/audit/export?format=jsonl&status=timeout")
            #expect(result["local"] == "2026-03-01T10:30:00.000Z")
            #expect(result["localSeconds"] == "2026-02-28T22:30:15.000Z")
            #expect(result["localEmpty"] == "")
            #expect(result["localInvalid"] == .null)
            #expect(result["time"] == "2026-01-02 03:04:05.678 UTC")
            #expect(result["timeOther"] == "<b>x</b>")
            #expect(strings("bytes") == ["0 B", "512 B", "1.5 KiB", "8.6 MiB", ""])
            #expect(strings("durations") == ["42 ms", "8.2 ms", "1.50 s", "2 min 5 s", ""])
            #expect(strings("limits") == ["128.0 MiB", "10.00 s", "1.5"])
            #expect(result["pretty"] == "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}")
            #expect(result["sortSame"] == .object(["sort_by": "timestamp", "sort_direction": "asc"]))
            #expect(result["sortOther"] == .object(["sort_by": "level", "sort_direction": "asc"]))
            #expect(result["sortTime"] == .object(["sort_by": "timestamp", "sort_direction": "desc"]))
            #expect(result["newer"] == .object([
                "level": "ERROR", "start_date": "2026-02-01T00:00:00.000Z", "page": .integer(1), "page_size": .integer(1),
            ]))
            #expect(result["newerEmpty"] == .object(["level": "ERROR", "page": .integer(1), "page_size": .integer(1)]))
            #expect(strings("labels") == ["1 new log", "7 new logs"])
            #expect(result["sizes"] == .array([.integer(50), .integer(500), .integer(100), .integer(100)]))
            #expect(result["pager"] == "Page 2 of 5 · 432 logs")
            #expect(strings("links") == ["http://127.0.0.1:8000/", nil, nil, nil])
            #expect(strings("errors") == ["HTTP 400: query parameter `level` is bad", "HTTP 502"])
            #expect(strings("classes") == ["badge level-error", "badge", "badge good", "badge warn", "badge bad"])

            // The export link the page builds is one the server accepts, with the filters applied.
            try await client.postLogs("""
                {"logs": [{"level": "ERROR", "message": "event 3 failed", "logger_name": "a"},
                          {"level": "ERROR", "message": "event 4 failed", "logger_name": "b"},
                          {"level": "INFO", "message": "event 3 done", "logger_name": "c"}]}
                """)
            let href = try #require(result["exportLogs"]?.string)
            let exported = try await client.text("/" + href)
            #expect(exported.status == .ok, "\(href): \(exported.text)")
            let (_, rows) = try csvRows(exported.text)
            #expect(rows.map { $0["message"] } == ["event 3 failed"])
        }
    }
}
