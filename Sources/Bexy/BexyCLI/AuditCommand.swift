import ArgumentParser
import Bexy
import BexyAudit
import Contracts
import FoundationEssentials

/// `bexy audit`: the local audit spool, newest first.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "List the audit records of past executions (newest first).")

    @Option(help: "How many records to show.")
    var limit = 20

    @Option(help: "Only records with this status (ok, runtime_error, timeout, ...).")
    var status: String?

    @Flag(help: "One JSON record per line.")
    var json = false

    func validate() throws {
        if limit <= 0 { throw ValidationError("--limit must be positive") }
        if let status, ExecutionStatus(rawValue: status) == nil {
            let known = ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--status must be one of: \(known)")
        }
    }

    func run() throws {
        let records: [AuditRecord]
        do {
            records = try AuditSpool(path: CLIConfiguration.load().settings.auditSpoolPath).list(limit: limit, status: status.flatMap(ExecutionStatus.init(rawValue:)))
        } catch {
            fail("audit spool: \(error)", code: 1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for record in records { writeAll(1, Array(try encoder.encode(record)) + [0x0a]) }
            return
        }
        var rows = [["TIME", "ID", "REQUESTER", "PROFILE", "STATUS", "EXIT", "WALL", "PEAK MEM"]]
        for r in records {
            rows.append([r.time, String(r.id.prefix(8)), r.requester, r.profile, r.status.rawValue,
                         r.exitCode.map(String.init) ?? r.signal.map { "sig \($0)" } ?? "-", "\(r.wallMs)ms",
                         r.peakMemoryBytes.map { "\($0 / 1024)KiB" } ?? "-"])
        }
        writeAll(1, Array(Table.render(rows).utf8))
    }
}
