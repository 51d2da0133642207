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

    @Option(help: "Address to listen on (default PYLAMA_HOST, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default PYLAMA_PORT, 8003).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }

    func run() async throws {
        let settings: PyLamaConfiguration
        let configuration: PyLLMConfiguration
        do {
            settings = try PyLamaConfiguration.load()
            configuration = try PyLLMConfiguration.load(from: settings, service: "pylama", host: host, port: port)
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
