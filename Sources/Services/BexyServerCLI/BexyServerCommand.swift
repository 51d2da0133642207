import ArgumentParser
import AuditForwarding
import Bexy
import BexyAudit
import BexyService
import Jail
import Logging
import LogShipping
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `bexy-server` (also `bexy serve`): the BEXY sandbox behind HTTP. Configuration comes from the central
/// `.env` (see `BexyServiceConfiguration` for the keys); the options override it. Prints
/// `bexy-server listening on HOST:PORT` once it accepts connections.
@main
struct BexyServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bexy-server", abstract: "Serve the BEXY sandbox over HTTP (POST /execute).")

    @Option(help: "Address to listen on (default BEXY_HOST, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default BEXY_PORT, 8000).")
    var port: Int?

    @Option(help: "Sandboxes running at once (default BEXY_SLOTS, the number of cores).")
    var slots: Int?

    @Option(help: "Jobs that may wait for a free sandbox; more get 429 (default BEXY_QUEUE, 4 per slot).")
    var queue: Int?

    @Option(help: "Seconds running jobs may finish after SIGTERM/SIGINT before they are killed (default 30).")
    var grace: Int?

    @Flag(help: "Do not forward the audit spool to LogLama (LOGLAMA_URL) from this process.")
    var noForward = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
        if let slots, slots < 1 { throw ValidationError("--slots must be at least 1") }
        if let queue, queue < 0 { throw ValidationError("--queue must not be negative") }
        if let grace, grace < 0 { throw ValidationError("--grace must not be negative") }
    }

    func run() async throws {
        // The one read of the configuration: the process environment over the central `.env` over a local one.
        let settings: PyLamaConfiguration
        let configuration: BexyServiceConfiguration
        let bexy: BexySettings
        do {
            let sources = try ConfigurationSources.load()
            settings = try PyLamaConfiguration.load(from: sources)
            bexy = try BexySettings(values: sources.values)
            configuration = try BexyServiceConfiguration.load(
                from: settings, environment: sources.environment, host: host, port: port, slots: slots,
                queueCapacity: queue, grace: grace.map { .seconds($0) }, project: bexy.project)
        } catch {
            fail("\(error)")
        }
        // This process's own logs (request errors with their request id, the scheduler, the forwarder) go to
        // LogLama as well as to standard error.
        _ = ServiceLogging.bootstrap(service: "bexy", settings: settings)
        let sandbox = bexy.sandbox
        if configuration.slots > sandbox.maxSlots {
            fail("\(configuration.slots) slots exceed the host's \(sandbox.maxSlots) sandbox identities "
                 + "(BEXY_MAX_SLOTS); lower --slots or raise BEXY_MAX_SLOTS")
        }
        let engine: Engine
        let spool: AuditSpool
        do {
            spool = try AuditSpool(path: bexy.auditSpoolPath)
            engine = Engine(profiles: bexy.profiles, sandboxConfiguration: sandbox, warmPool: bexy.warmPool, spool: spool,
                            workspaces: bexy.workspaceRoot)
        } catch {
            fail("audit spool: \(error)")
        }
        if !spool.interruptedAtOpen.isEmpty {
            Self.writeLine(2, "bexy-server: marked \(spool.interruptedAtOpen.count) audit records interrupted "
                           + "(their process died mid-job): \(spool.interruptedAtOpen.joined(separator: ", "))")
        }
        // Every execution's record leaves the spool for LogLama from here (at least once; LogLama dedupes by id).
        let forwarder = AuditForwarder(spoolPath: spool.path, endpoint: settings.url(of: "loglama") + "/api/audit",
                                       token: settings["PYLAMA_INTERNAL_TOKEN"])
        let companions = noForward ? [] : [AuditForwardingService(forwarder: forwarder,
                                                                   logger: Logger(label: "bexy.audit-forwarder"))]
        // A write to a pipe whose reader is gone (a handed-off job's stdin) fails with EPIPE instead of killing us.
        signal(SIGPIPE, SIG_IGN)
        let server = BexyServer(configuration: configuration, runner: engine,
                                handoffSocket: bexy.handoffSocket.map { ($0, HandoffSettings(bexy)) }) { port in
            Self.writeLine(1, "bexy-server listening on \(configuration.host):\(port)")
        }
        try await server.run(companions: companions)
        engine.shutdownWarmPool()
    }

    /// One line on stderr naming what is wrong, exit 2.
    private func fail(_ message: String) -> Never {
        Self.writeLine(2, "bexy-server: \(message)")
        Glibc.exit(2)
    }

    /// Write `text` and a newline to `fd` unbuffered (the listening line must reach a pipe at once).
    private static func writeLine(_ fd: Int32, _ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
