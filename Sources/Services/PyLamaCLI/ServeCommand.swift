import ArgumentParser
import LogShipping
import PyLamaService
import PyLLM
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `pylama serve [--host H] [--port P]`: run the PyLama service; prints `pylama listening on HOST:PORT`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the PyLama service.")

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        let settings: PyLamaConfiguration
        let configuration: PyLLMConfiguration
        do {
            settings = try PyLamaConfiguration.load()
            configuration = try PyLLMConfiguration.load(from: settings, service: "pylama", host: serve.host, port: serve.port)
        } catch {
            throw ValidationError("\(error)")
        }
        _ = ServiceLogging.bootstrap(service: "pylama", settings: settings)
        let server = PyLamaServer(configuration: configuration, centralPath: settings.centralPath) { port in
            let line = Array("pylama listening on \(configuration.host):\(port)\n".utf8)
            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
        try await server.run()
    }
}
