import ArgumentParser
import LogLama
import ServiceKit

/// `loglama audit verify`: recompute the audit trail's hash chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail.", subcommands: [VerifyCommand.self])

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
                do {
                    path = try PyLamaConfiguration.load()["LOGLAMA_DB"] ?? "loglama.db"
                } catch {
                    throw ValidationError(error.description)
                }
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
