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

    @Option(help: "Address to listen on (default SHELLAMA_HOST, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default SHELLAMA_PORT, 8002).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }

    func run() async throws {
        let sources = try ConfigurationSources.load()
        let settings = try PyLamaConfiguration.load(from: sources)
        let configuration = try SheLLamaConfiguration.load(from: settings, values: sources.values, host: host, port: port)
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
