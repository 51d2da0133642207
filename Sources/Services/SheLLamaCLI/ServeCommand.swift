import ArgumentParser
import LogShipping
import SheLLama
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `shellama serve`: run the SheLLama service. Configuration comes from the central `.env` (see
/// `SheLLamaConfiguration` for the keys); the options override it. Prints `shellama listening on HOST:PORT`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the SheLLama service.")

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        let sources = try ConfigurationSources.load()
        let settings = try PyLamaConfiguration.load(from: sources)
        let configuration = try SheLLamaConfiguration.load(from: settings, values: sources.values, host: serve.host, port: serve.port)
        _ = ServiceLogging.bootstrap(service: SheLLamaService.name, settings: settings)
        do {  // `loglama init` normally did this; without it the default workspace would be missing
            try configuration.workspaces.createWorkspace()
        } catch {
            FileHandleOutput.write(Array("shellama: cannot create the default workspace: \(error)\n".utf8), fd: 2)
        }
        let host = configuration.host
        let app = buildSheLLamaApplication(configuration: configuration) { port in
            FileHandleOutput.write(Array("shellama listening on \(host):\(port)\n".utf8))
        }
        try await app.runService()
    }
}
