import Foundation
import TestSupport
import Testing

/// `weblama` tried as a person would: `--help`, a wrong flag, a page that is not there, and a real serve that sends
/// a browser to the gateway's page.
@Suite struct WebLamaCLITests {
    static func environment(_ directory: String, _ extra: [String: String] = [:]) throws -> [String: String] {
        var entries = ["PYLAMA_INTERNAL_TOKEN": "int_test", "APILAMA_PORT": "18080"]
        entries.merge(extra) { _, new in new }
        return try centralFileEnvironment(entries, in: directory)
    }

    @Test func helpWrongFlagsAndAMissingPageAreOneReadableLine() async throws {
        let directory = temporaryDirectory(prefix: "weblama-cli")
        let environment = try Self.environment(directory)
        var run = try await runBinary("weblama", ["--help"], environment: environment)
        #expect(run.status == 0 && run.output.contains("USAGE: weblama"), "\(run.output)")
        run = try await runBinary("weblama", ["serve", "--help"], environment: environment)
        #expect(run.status == 0 && run.output.contains("--api-url"), "\(run.output)")
        run = try await runBinary("weblama", ["serve", "--port", "70000"], environment: environment)
        #expect(run.status != 0 && run.output.contains("--port must be 0-65535"), "\(run.output)")
        run = try await runBinary("weblama", ["serve", "--api-url", "gateway:8080"], environment: environment)
        #expect(run.status != 0 && run.output.contains("--api-url must start with http://"), "\(run.output)")
        run = try await runBinary("weblama", ["serve", "--colour"], environment: environment)
        #expect(run.status != 0 && run.output.contains("Unknown option '--colour'"), "\(run.output)")
        run = try await runBinary("weblama", ["serve", "--port", "0", "--root", directory + "/nowhere"],
                                  environment: environment)
        #expect(run.status != 0 && run.output.contains("WEBLAMA_ROOT"), "\(run.output)")
        #expect(run.output.split(separator: "\n").count <= 2, "\(run.output)")
    }

    @Test func serveServesThePageAndSendsABrowserToTheGateway() async throws {
        let directory = temporaryDirectory(prefix: "weblama-cli")
        let root = directory + "/web"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "<!doctype html><title>WebLama</title>".write(toFile: root + "/index.html", atomically: false, encoding: .utf8)
        let libraries = directory + "/vendor/mermaid"
        try FileManager.default.createDirectory(atPath: libraries, withIntermediateDirectories: true)
        try "var mermaid;".write(toFile: libraries + "/mermaid.min.js", atomically: false, encoding: .utf8)
        let environment = try Self.environment(directory, ["WEBLAMA_ROOT": root, "WEBLAMA_VENDOR_DIR": directory + "/vendor"])
        let server = try await ListeningProcess.start(TestHost.binary("weblama"), arguments: ["serve", "--port", "0"],
                                                      environment: environment, directory: directory,
                                                      readyPrefix: "weblama listening on")
        defer { server.stop() }
        let redirect = try await call(server.port, .GET, "/", token: nil, followRedirects: false)
        #expect(redirect.status == 303 && redirect.header("Location") == "http://127.0.0.1:18080/web/")
        let page = try await call(server.port, .GET, "/web/", token: nil)
        #expect(page.status == 200 && page.text.contains("<title>WebLama</title>"), "\(page.text)")
    }
}
