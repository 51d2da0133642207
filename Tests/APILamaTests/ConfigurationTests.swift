import APILama
import Foundation
import ServiceKit
import TestSupport
import Testing

/// `APILamaConfiguration.load`: the central `.env`, the environment over it, and refusals that name the key.
@Suite struct ConfigurationTests {
    /// The configuration for a central file holding `lines`, with `environment` on top.
    func load(_ lines: [String], environment: [String: String] = [:]) throws -> APILamaConfiguration {
        let directory = temporaryDirectory(prefix: "apilama-config")
        try lines.joined(separator: "\n").write(toFile: directory + "/central.env", atomically: true, encoding: .utf8)
        let base = ["HOME": directory, "PYLAMA_ENV": directory + "/central.env"]
        let merged = base.merging(environment) { $1 }
        let settings = try PyLamaConfiguration.load(environment: merged, localPath: directory + "/none.env")
        return try APILamaConfiguration.load(settings: settings, environment: merged)
    }

    @Test func readsEveryKeyAndTheEnvironmentWins() throws {
        let configuration = try load(
            ["PYLAMA_INTERNAL_TOKEN=int_file", "PYLAMA_API_TOKEN=plm_file", "BEXY_URL=http://10.0.0.5:9000/",
             "APILAMA_CORS_ORIGINS=https://a.example, https://b.example", "APILAMA_RATE_PER_SECOND=2.5",
             "APILAMA_RATE_BURST=7", "APILAMA_UPSTREAM_TIMEOUT=1.5", "APILAMA_SECURE_COOKIES=true",
             "APILAMA_DB=/tmp/from-file.db"],
            environment: ["APILAMA_DB": "/tmp/from-env.db", "APILAMA_PORT": "9090"])
        #expect(configuration.internalToken == "int_file")
        #expect(configuration.apiToken == "plm_file")
        #expect(configuration.port == 9090)
        #expect(configuration.databasePath == "/tmp/from-env.db")
        #expect(configuration.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.rateLimit == RateLimit(perSecond: 2.5, burst: 7))
        #expect(configuration.upstreamTimeout == .milliseconds(1500))
        #expect(configuration.secureCookies)
        #expect(configuration.upstreams.first { $0.route == "bexy" }?.baseURL == "http://10.0.0.5:9000")
        #expect(configuration.upstreams.first { $0.route == "getllm" }?.service == "pyllm")
    }

    @Test func defaultsAllowWebLamaAndKeepTokensInTheHomeDirectory() throws {
        let configuration = try load(["PYLAMA_INTERNAL_TOKEN=int_file"])
        #expect(configuration.corsOrigins == ["http://127.0.0.1:8081", "http://localhost:8081"])
        #expect(configuration.databasePath.hasSuffix("/.pylama/apilama.db"))
        #expect(configuration.apiToken == nil)
        #expect(configuration.port == 8080)
    }

    @Test func refusalsNameTheKey() {
        #expect(throws: ConfigurationError.self) { try load([]) }
        for (line, key) in [("APILAMA_CORS_ORIGINS=*", "APILAMA_CORS_ORIGINS"),
                            ("APILAMA_RATE_BURST=many", "APILAMA_RATE_BURST"),
                            ("APILAMA_MAX_BODY_BYTES=-1", "APILAMA_MAX_BODY_BYTES")] {
            do {
                _ = try load(["PYLAMA_INTERNAL_TOKEN=int_file", line])
                Issue.record("\(line) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.key == key, "\(error)")
            } catch {
                Issue.record("\(line): \(error)")
            }
        }
    }
}
