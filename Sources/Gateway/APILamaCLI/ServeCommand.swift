import APILama
import ArgumentParser
import LogShipping
import ServiceKit

/// `apilama serve`: run the gateway. Configuration comes from the central `.env` (`APILamaConfiguration` lists
/// the keys); the options override it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API gateway.")

    @Option(help: "Address to listen on (default APILAMA_HOST, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default APILAMA_PORT, 8080).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }

    func run() async throws {
        var configuration: APILamaConfiguration
        let settings: PyLamaConfiguration
        do {
            settings = try PyLamaConfiguration.load()
            configuration = try APILamaConfiguration.load(settings: settings)
        } catch {
            throw ValidationError("\(error)")
        }
        // The gateway's own logs (request errors with their request id) go to LogLama as well as standard error.
        _ = ServiceLogging.bootstrap(service: "apilama", settings: settings)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let app = try await buildAPILamaApplication(configuration: configuration)
        try await app.runService()
    }
}
