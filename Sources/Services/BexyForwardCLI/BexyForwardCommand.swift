import ArgumentParser
import AsyncHTTPClient
import AuditForwarding
import BexyAudit
import ServiceKit

/// `bexy-forward`: ship BEXY's audit spool to LogLama, once or continuously.
@main
struct BexyForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bexy-forward",
        abstract: "Forward BEXY's audit spool to LogLama (at least once; LogLama dedupes by id).")

    @Option(help: "The spool (default $BEXY_STATE_DIR/audit.db, /var/lib/bexy/audit.db).")
    var spool: String?

    @Option(help: "LogLama's base URL (default LOGLAMA_URL from the central .env).")
    var url: String?

    @Flag(help: "Send what is pending and exit (non-zero if LogLama could not be reached).")
    var once = false

    @Option(help: "Seconds between looks at the spool when running continuously.")
    var interval: Double = 1

    @Option(help: "Records per request (1-10000).")
    var batchSize = 500

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1-10000") }
        guard interval > 0, interval <= 3600 else { throw ValidationError("--interval must be 0-3600 seconds") }
    }

    func run() async throws {
        let sources = try ConfigurationSources.load()
        let settings = try PyLamaConfiguration.load(from: sources)  // a bad value: one line naming the key, exit 1
        let base = url ?? settings.url(of: "loglama")
        let forwarder = AuditForwarder(spoolPath: spool ?? AuditSpool.path(settings: sources.values), endpoint: base + "/api/audit",
                                       batchSize: batchSize, token: settings["PYLAMA_INTERNAL_TOKEN"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var failed = false
        if once {
            do {
                let report = try await forwarder.forwardPending(client: client)
                print("forwarded: \(report.stored) stored, \(report.duplicates) already there, \(report.batches) batches")
            } catch {
                print("bexy-forward: \(error)")
                failed = true
            }
        } else {
            await forwarder.run(client: client, interval: .milliseconds(Int(interval * 1000))) { error in
                print("bexy-forward: \(error) (records stay in the spool; retrying)")
            }
        }
        try await client.shutdown()
        if failed { throw ExitCode(1) }
    }
}
