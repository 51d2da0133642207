import ArgumentParser
import Contracts
import LogLama
import ServiceHTTP
import ServiceKit

/// `loglama audit [list]` and `loglama audit verify`: read the audit trail, and recompute its hash chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail.", subcommands: [ListCommand.self, VerifyCommand.self],
        defaultSubcommand: ListCommand.self)

    /// `loglama audit [--status --profile --requester --since --until --page --page-size --json]`: one page of the
    /// audit trail from a running LogLama, newest first.
    struct ListCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List executions from the audit trail (LOGLAMA_URL), newest first.")

        @Option(help: "Only this status (ok, runtime_error, timeout, memory_limit, syscall_blocked, ...).")
        var status: String?

        @Option(help: "Only this profile.")
        var profile: String?

        @Option(help: "Only this requester.")
        var requester: String?

        @Option(help: "Only executions at or after this time: ISO 8601, or a duration back from now (15m, 2h, 7d).")
        var since: String?

        @Option(help: "Only executions before this time (same forms as --since).")
        var until: String?

        @Option(help: "Page number, from 1.")
        var page = 1

        @Option(help: "Records per page (1-1000).")
        var pageSize = 50

        @Flag(help: "One stored record (with seq and hashes) per line, as JSON.")
        var json = false

        /// The exit code, `s<N>` for a signal, or nothing.
        private func exitColumn(_ record: JSONValue) -> JSONValue? {
            if let code = record["exit_code"], code != .null { return code }
            if let signal = record["signal"], signal != .null { return .string("s" + signal.text) }
            return nil
        }

        func validate() throws {
            for (name, value) in [("--since", since), ("--until", until)] {
                if let value, TimeWindow.instant(value) == nil {
                    throw ValidationError("\(name) '\(value)': \(TimeWindow.expected)")
                }
            }
            guard page >= 1 else { throw ValidationError("--page must be 1 or more") }
            guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be 1-1000") }
        }

        func run() async throws {
            let client = ServiceClient.logLama(configuration: try PyLamaConfiguration.load())
            var query: [(String, String)] = [("page", String(page)), ("page_size", String(pageSize))]
            for (name, value) in [("status", status), ("profile", profile), ("requester", requester)] {
                if let value { query.append((name, value)) }
            }
            if let since { query.append(("since", TimeWindow.instant(since)!)) }
            if let until { query.append(("until", TimeWindow.instant(until)!)) }
            let listing = try await client.get("/api/audit", query: query)
            let stored = listing["records"]?.array ?? []
            if json {
                for entry in stored { print(entry.serialized) }
                return
            }
            let widths = [24, 36, 15, 9, 16, 5, 0]
            func row(_ cells: [String]) -> String {
                zip(cells, widths).map { $1 == 0 ? $0 : $0.padding($1) }.joined(separator: " ")
            }
            print(row(["TIME", "ID", "STATUS", "PROFILE", "REQUESTER", "EXIT", "WALL_MS"]))
            for entry in stored {
                let record = entry["record"] ?? .null
                print(row([record["time"], record["id"], record["status"], record["profile"], record["requester"],
                           exitColumn(record), record["wall_ms"]].map { $0?.text ?? "-" }))
            }
            print("page \(listing["page"]?.text ?? "?") of \(listing["pages"]?.text ?? "?"), \(listing["total"]?.text ?? "?") records")
        }
    }

    /// `loglama audit verify [--db PATH]`: ok, or the first record where the chain breaks (exit 1).
    struct VerifyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Check the audit trail's hash chain; exit 1 at the first broken record.")

        @Option(help: "SQLite database file (default LOGLAMA_DB).")
        var db: String?

        func run() async throws {
            let path: String
            if let db {
                path = db
            } else {
                path = try PyLamaConfiguration.load()["LOGLAMA_DB"] ?? "loglama.db"
            }
            let verification = try await LogLamaStore(path: path).verifyAuditChain()
            if let broken = verification.brokenAt {
                print("BROKEN at seq \(broken.seq) (id \(broken.id)): \(broken.reason); \(verification.records) records checked")
                throw ExitCode(1)
            }
            print("ok: \(verification.records) records, hash chain intact")
        }
    }
}
