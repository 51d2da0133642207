import AsyncHTTPClient
import Bexy
import Contracts
import Foundation
import NIOCore
import ServiceHTTP
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import LogLama
@testable import LogLamaCLI

/// `loglama logs` and `loglama audit` against a live LogLama on loopback, through the real binary.
@Suite struct LogLamaReadCLITests {
    /// The environment the binary runs with: only LOGLAMA_URL pointing at the test server.
    private func environment(port: Int, directory: String) -> [String: String] {
        ["PYLAMA_ENV": directory + "/none.env", "HOME": directory, "LOGLAMA_URL": "http://127.0.0.1:\(port)"]
    }

    private func post(_ json: String, to path: String, port: Int) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code / 100 == 2, "\(response.status)")
    }

    @Test func logsFiltersAndPrintsOldestFirstAsTextOrJSON() async throws {
        let directory = temporaryDirectory(prefix: "loglama-logs")
        try await withLogLama { port in
            try await post("""
                [{"level":"INFO","message":"first","component":"bexy","timestamp":"2026-11-25T10:00:00.000Z"},
                 {"level":"ERROR","message":"second <b>","component":"bexy","timestamp":"2026-11-25T10:00:01.000Z",
                  "context":{"job":"j1"}},
                 {"level":"ERROR","message":"third","component":"apilama","timestamp":"2026-11-25T10:00:02.000Z"}]
                """, to: "/api/logs", port: port)
            let env = environment(port: port, directory: directory)

            let text = try await runLogLama(["logs", "--component", "bexy"], environment: env)
            #expect(text.status == 0, "\(text.output)")
            let lines = text.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(text.output)")
            #expect(lines.first?.hasSuffix("bexy: first") == true, "\(text.output)")
            #expect(lines.last?.contains("ERROR    bexy: second <b> {\"job\":\"j1\"}") == true, "\(text.output)")

            let json = try await runLogLama(["logs", "--level", "ERROR", "--json", "--limit", "1"], environment: env)
            #expect(json.status == 0, "\(json.output)")
            let records = json.output.split(separator: "\n").compactMap { JSONValue.parse(String($0)) }
            #expect(records.count == 1)
            #expect(records.first?["message"] == .string("third"))
        }
    }

    @Test func logsFollowPrintsNewEntriesOnce() async throws {
        let directory = temporaryDirectory(prefix: "loglama-follow")
        try await withLogLama { port in
            try await post(#"{"level":"INFO","message":"before","component":"t"}"#, to: "/api/logs", port: port)
            let (process, pipe) = try LogLamaBinary.start(
                ["logs", "--follow", "--interval", "0.1"], environment: environment(port: port, directory: directory))
            defer { if process.isRunning { process.terminate() } }
            let reader = LineReader(pipe.fileHandleForReading)
            #expect(try await reader.next()?.hasSuffix("t: before") == true)
            try await post(#"[{"level":"WARNING","message":"after-1","component":"t"},"#
                           + #"{"level":"WARNING","message":"after-2","component":"t"}]"#, to: "/api/logs", port: port)
            #expect(try await reader.next()?.hasSuffix("t: after-1") == true)
            #expect(try await reader.next()?.hasSuffix("t: after-2") == true)
            try await post(#"{"level":"INFO","message":"after-3","component":"t"}"#, to: "/api/logs", port: port)
            // Nothing is printed twice: the next line is the next new entry.
            #expect(try await reader.next()?.hasSuffix("t: after-3") == true)
        }
    }

    @Test func auditListsFilteredRecordsNewestFirst() async throws {
        let directory = temporaryDirectory(prefix: "loglama-audit")
        let store = try LogLamaStore(path: directory + "/loglama.db")
        _ = try await store.appendAudit([
            makeAuditRecord(status: .ok, requester: "alice", time: "2026-11-25T08:00:00.000Z"),
            makeAuditRecord(status: .timeout, requester: "bob", time: "2026-11-25T09:00:00.000Z"),
            makeAuditRecord(status: .ok, requester: "carol", time: "2026-11-25T10:00:00.000Z"),
        ])
        try await withLogLama(store: store) { port in
            let env = environment(port: port, directory: directory)
            let table = try await runLogLama(["audit", "--status", "ok"], environment: env)
            #expect(table.status == 0, "\(table.output)")
            let rows = table.output.split(separator: "\n").map(String.init)
            #expect(rows.count == 4, "\(table.output)")  // header, 2 records, footer
            #expect(rows[1].contains("carol") && rows[2].contains("alice"), "\(table.output)")
            #expect(rows.last == "page 1 of 1, 2 records")

            let since = try await runLogLama(["audit", "list", "--since", "2026-11-25T08:30:00Z", "--json"], environment: env)
            #expect(since.status == 0, "\(since.output)")
            let stored = since.output.split(separator: "\n").compactMap { JSONValue.parse(String($0)) }
            #expect(stored.map { $0["record"]?["requester"] } == [.string("carol"), .string("bob")])
        }
    }

    @Test func badTimeAndUnreachableLogLamaAreOneLineErrors() async throws {
        let directory = temporaryDirectory(prefix: "loglama-down")
        let env = environment(port: closedPort(), directory: directory)
        let down = try await runLogLama(["logs"], environment: env)
        #expect(down.status != 0)
        #expect(down.output.contains("is not reachable"), "\(down.output)")
        let badTime = try await runLogLama(["audit", "--since", "yesterday"], environment: env)
        #expect(badTime.status != 0)
        #expect(badTime.output.contains("--since 'yesterday'"), "\(badTime.output)")
    }

    @Test(arguments: [("90s", 90_000), ("15m", 900_000), ("2h", 7_200_000), ("7d", 604_800_000)])
    func relativeTimesCountBackFromNow(text: String, milliseconds: Int64) throws {
        let now: Int64 = 1_795_600_000_000
        let instant = try #require(TimeWindow.instant(text, now: now))
        #expect(UTCTimestamp.parse(instant)?.milliseconds == now - milliseconds)
        #expect(TimeWindow.instant("2026-11-25", now: now) == "2026-11-25T00:00:00.000Z")
        #expect(TimeWindow.instant("5w", now: now) == nil)
        #expect(TimeWindow.instant("-5m", now: now) == nil)
    }
}

/// Reads a pipe line by line, waiting at most 10 seconds for each line (nil on timeout or end of file).
final class LineReader: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { descriptor = handle.fileDescriptor }

    func next() async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, Int32(left.components.seconds * 1000 + 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
