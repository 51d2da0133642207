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

    @Option(help: "Address to listen on (default PYLLM_HOST, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default PYLLM_PORT, 8001).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }

    func run() async throws {
        let settings: PyLamaConfiguration
        let configuration: PyLLMConfiguration
        do {
            settings = try PyLamaConfiguration.load()
            configuration = try PyLLMConfiguration.load(from: settings, service: "pyllm", host: host, port: port)
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
