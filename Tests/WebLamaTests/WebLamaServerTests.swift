import Foundation
import TestSupport
import Testing
import WebLama

/// `weblama serve`'s static server over real HTTP on loopback: the page, its libraries from where their packages
/// put them, the security headers on every answer, and the refusal to serve a page that cannot work.
@Suite struct WebLamaServerTests {
    /// A page directory and one library directory (standing in for a Debian package's files).
    struct Site {
        let root: String
        let library: VendorLibrary

        init() throws {
            let directory = temporaryDirectory(prefix: "weblama")
            root = directory + "/web"
            try FileManager.default.createDirectory(atPath: root + "/js", withIntermediateDirectories: true)
            try "<!doctype html><title>WebLama</title>".write(toFile: root + "/index.html", atomically: false, encoding: .utf8)
            try "export const ok = 1;".write(toFile: root + "/js/app.js", atomically: false, encoding: .utf8)
            try "secret".write(toFile: directory + "/outside.txt", atomically: false, encoding: .utf8)
            let libraryDirectory = directory + "/usr-share-lib"
            try FileManager.default.createDirectory(atPath: libraryDirectory + "/lib", withIntermediateDirectories: true)
            try "var Lib = {};".write(toFile: libraryDirectory + "/lib/lib.js", atomically: false, encoding: .utf8)
            library = VendorLibrary(name: "lib", directory: libraryDirectory, requiredFile: "lib/lib.js",
                                    installHint: "apt-get install libjs-lib")
        }

        func configuration(apiURL: String = "http://127.0.0.1:8080") -> WebLamaConfiguration {
            WebLamaConfiguration(host: "127.0.0.1", port: 0, root: root, apiURL: apiURL, libraries: [library])
        }
    }

    static func withWebLama(_ configuration: WebLamaConfiguration, _ body: (Int) async throws -> Void) async throws {
        try await withLiveServer({ onRunning in
            try buildWebLamaApplication(configuration: configuration, logger: quietLogger("weblama"),
                                        onServerRunning: onRunning)
        }, body)
    }

    @Test func servesThePageAndItsLibrariesWithTheSecurityHeaders() async throws {
        let site = try Site()
        try await Self.withWebLama(site.configuration(apiURL: "http://gateway.example:8080/")) { port in
            let page = try await call(port, .GET, "/web/", token: nil, followRedirects: false)
            #expect(page.status == 200 && page.text.contains("<title>WebLama</title>"), "\(page.text)")
            #expect(page.contentType?.hasPrefix("text/html") == true)
            let policy = try #require(page.header("Content-Security-Policy"))
            for directive in ["default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"] {
                #expect(policy.contains(directive), "\(directive)")
            }
            #expect(!policy.contains("unsafe-eval") && page.header("X-Content-Type-Options") == "nosniff")
            let script = try await call(port, .GET, "/web/js/app.js", token: nil)
            #expect(script.status == 200 && script.text == "export const ok = 1;")
            #expect(script.contentType?.contains("javascript") == true, "\(script.contentType ?? "none")")
            let library = try await call(port, .GET, "/web/vendor/lib/lib/lib.js", token: nil)
            #expect(library.status == 200 && library.text == "var Lib = {};")
            #expect(library.header("Content-Security-Policy") == policy)

            #expect(try await call(port, .GET, "/web/missing.js", token: nil).status == 404)
            for escape in ["/web/../outside.txt", "/web/vendor/lib/../../outside.txt", "/web/%2e%2e/outside.txt"] {
                let refused = try await call(port, .GET, escape, token: nil)
                #expect((400..<500).contains(refused.status) && !refused.text.contains("secret"), "\(escape)")
            }
            let root = try await call(port, .GET, "/", token: nil, followRedirects: false)
            #expect(root.status == 303 && root.header("Location") == "http://gateway.example:8080/web/")
            let bare = try await call(port, .GET, "/web", token: nil, followRedirects: false)
            #expect(bare.status == 308 && bare.header("Location") == "/web/")
            let health = try await call(port, .GET, "/health", token: nil)
            #expect(health.status == 200 && health.json["service"]?.string == "weblama")
        }
    }

    @Test func refusesToStartWithoutThePageOrALibrary() throws {
        let site = try Site()
        var configuration = site.configuration()
        configuration.root = site.root + "/nowhere"
        #expect(throws: WebLamaError.self) { try configuration.checkFiles() }
        do { try configuration.checkFiles() } catch { #expect(error.description.contains("WEBLAMA_ROOT")) }

        configuration = site.configuration()
        configuration.libraries.append(VendorLibrary(name: "gone", directory: site.root + "/gone", requiredFile: "gone.js",
                                                     installHint: "apt-get install libjs-gone"))
        do {
            try configuration.checkFiles()
            Issue.record("a missing library was not refused")
        } catch {
            #expect(error.description.contains("apt-get install libjs-gone"), "\(error)")
        }
    }
}
