import APILama
import ArgumentParser
import LogShipping
import ServiceKit

/// `apilama serve`: run the gateway. Configuration comes from the central `.env` (`APILamaConfiguration` lists
/// the keys); the options override it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API gateway.")

    @OptionGroup var serve: ServeOptions

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
        if let host = serve.host { configuration.host = host }
        if let port = serve.port { configuration.port = port }
        let app = try await buildAPILamaApplication(configuration: configuration)
        try await app.runService()
    }
}
