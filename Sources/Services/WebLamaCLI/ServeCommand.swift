import ArgumentParser
import Foundation
import LogShipping
import ServiceKit
import WebLama

#if canImport(Glibc)
import Glibc
#endif

/// `weblama serve [--host H] [--port P] [--root DIR] [--api-url URL] [--open]`: serve the page and its libraries;
/// prints `weblama listening on HOST:PORT`, then the address to open (the gateway's `/web/`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the web front end.")

    @OptionGroup var serve: ServeOptions

    @Option(help: "The page's files (default WEBLAMA_ROOT, else the checkout's web/ directory).")
    var root: String?

    @Option(name: .customLong("api-url"), help: "The gateway the page is used through (default APILAMA_URL).")
    var apiURL: String?

    @Flag(help: "Open the page in a browser (xdg-open) once listening.")
    var open = false

    func validate() throws {
        if let apiURL, !(apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://")) {
            throw ValidationError("--api-url must start with http:// or https://")
        }
    }

    func run() async throws {
        let settings: PyLamaConfiguration
        let configuration: WebLamaConfiguration
        do {
            let sources = try ConfigurationSources.load()
            settings = try PyLamaConfiguration.load(from: sources)
            configuration = try WebLamaConfiguration.load(from: settings, values: sources.values, host: serve.host, port: serve.port,
                                                          root: root, apiURL: apiURL)
        } catch {
            throw ValidationError("\(error)")
        }
        _ = ServiceLogging.bootstrap(service: "weblama", settings: settings)
        let page = configuration.apiURL + "/web/"
        let open = self.open
        let app = try buildWebLamaApplication(configuration: configuration) { port in
            Self.write("weblama listening on \(configuration.host):\(port)\nopen \(page) (through the gateway)\n", to: 1)
            if open { Self.openBrowser(page) }
        }
        try await app.runService()
    }

    private static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Starts `xdg-open url` without waiting for it; says so when there is no browser to open.
    private static func openBrowser(_ url: String) {
        var pid: pid_t = 0
        let arguments = ["xdg-open", url]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawnp(&pid, "xdg-open", nil, nil, &argv, environ) == 0 else {
            write("weblama: no xdg-open here; open \(url) in a browser\n", to: 2)
            return
        }
        let child = pid
        Thread.detachNewThread { waitpid(child, nil, 0) }
    }
}
