import ArgumentParser
import LogShipping
import PyLLM
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `pyllm serve [--host H] [--port P]`: run the PyLLM service; prints `pyllm listening on HOST:PORT` once it
/// accepts connections.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the PyLLM service.")

    @OptionGroup var serve: ServeOptions

    func run() async throws {
        let settings: PyLamaConfiguration
        let configuration: PyLLMConfiguration
        do {
            settings = try PyLamaConfiguration.load()
            configuration = try PyLLMConfiguration.load(from: settings, service: "pyllm", host: serve.host, port: serve.port)
        } catch {
            throw ValidationError("\(error)")
        }
        _ = ServiceLogging.bootstrap(service: "pyllm", settings: settings)
        let server = PyLLMServer(configuration: configuration) { port in
            let line = Array("pyllm listening on \(configuration.host):\(port)\n".utf8)
            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
        try await server.run()
    }
}
