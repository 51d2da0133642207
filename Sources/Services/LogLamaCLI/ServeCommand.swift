import ArgumentParser
import Foundation
import LogLama
import ServiceKit

/// `loglama serve`: run the LogLama server alone. Configuration comes from the central `.env`
/// (`LOGLAMA_HOST`, `LOGLAMA_PORT`, `LOGLAMA_DB`, `LOGLAMA_RETENTION_DAYS`, `LOGLAMA_MAX_LOG_ROWS`);
/// the options override it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the LogLama server (logs, audit trail).")

    @OptionGroup var serve: ServeOptions

    @Option(help: "SQLite database file (default LOGLAMA_DB).")
    var db: String?

    func run() async throws {
        let settings = try PyLamaConfiguration.load()  // a bad value: one line naming the key, exit 1
        var configuration = LogLamaConfiguration(
            host: serve.host ?? settings.host(of: "loglama"),
            port: try serve.port ?? settings.port(of: "loglama"),
            databasePath: db ?? settings["LOGLAMA_DB"] ?? "loglama.db",
            retention: LogRetention(maxAgeDays: settings["LOGLAMA_RETENTION_DAYS"].flatMap(Int.init) ?? 30,
                                    maxLogRows: settings["LOGLAMA_MAX_LOG_ROWS"].flatMap(Int.init) ?? 1_000_000),
            services: LogLamaConfiguration.serviceURLs(from: settings.values))
        if serve.host != nil || serve.port != nil {  // `GET /api/services` checks this server where it really listens
            configuration.services["loglama"] = "http://\(configuration.host):\(configuration.port)"
        }
        configuration.internalToken = settings["PYLAMA_INTERNAL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if configuration.internalToken == nil {
            // Fail closed off loopback: an unauthenticated LogLama is only acceptable where only this host reaches it.
            guard ["127.0.0.1", "::1", "localhost"].contains(configuration.host) else {
                throw Refusal(description: "PYLAMA_INTERNAL_TOKEN is not set: refusing to serve on \(configuration.host) "
                              + "without authentication; run `loglama init` (or listen on 127.0.0.1)")
            }
            let warning = "loglama: PYLAMA_INTERNAL_TOKEN is not set: serving on \(configuration.host) without "
                + "authentication (run `loglama init`)\n"
            FileHandle.standardError.write(Data(warning.utf8))
        }
        let app = try await buildLogLamaApplication(configuration: configuration)
        try await app.runService()
    }
}

/// Why `loglama serve` will not start, in one line.
private struct Refusal: Error, CustomStringConvertible {
    var description: String
}
