import APILama
import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

/// The `apilama` binary, black box.
@Suite struct CLITests {
    @Test func tokenCreateListRevokeAgainstARunningGateway() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let directory = temporaryDirectory(prefix: "apilama-cli")
                let environment = ["HOME": directory, "PYLAMA_ENV": directory + "/none.env",
                                   "APILAMA_DB": gateway.configuration.databasePath]

                let created = try APILamaBinary.run(["token", "create", "--name", "ci-bot", "--role", "user"],
                                                    environment: environment, directory: directory)
                #expect(created.status == 0, "\(created.stderr)")
                let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(token.hasPrefix("plm_") && token.count == 47, "\(created.stdout)")
                #expect(created.stderr.contains("cannot be shown again"))
                let used = try await gateway.send(.POST, "/api/bexy/execute", token: token, body: "{}")
                #expect(used.json?["headers"]?["x-pylama-requester"]?.string == "ci-bot")

                let again = try APILamaBinary.run(["token", "create", "--name", "ci-bot", "--role", "user"],
                                                  environment: environment, directory: directory)
                #expect(again.status == 1)
                #expect(again.stderr.contains("already exists"), "\(again.stderr)")

                let listed = try APILamaBinary.run(["token", "list"], environment: environment, directory: directory)
                #expect(listed.status == 0, "\(listed.stderr)")
                let rows = listed.stdout.split(separator: "\n")
                #expect(rows.count == 3, "\(listed.stdout)")
                #expect(rows.contains { $0.hasPrefix("ci-bot") && $0.contains("user") && $0.hasSuffix("-") })
                #expect(rows.contains { $0.hasPrefix("default") && $0.contains("admin") })
                #expect(!listed.stdout.contains(token))

                let revoked = try APILamaBinary.run(["token", "revoke", "ci-bot"], environment: environment,
                                                    directory: directory)
                #expect(revoked.status == 0, "\(revoked.stderr)")
                expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute", token: token, body: "{}"),
                               status: 401, code: "unauthorized")

                let unknown = try APILamaBinary.run(["token", "revoke", "nobody"], environment: environment,
                                                    directory: directory)
                #expect(unknown.status == 1)
                #expect(unknown.stderr.contains("no token is named 'nobody'"), "\(unknown.stderr)")
                let badRole = try APILamaBinary.run(["token", "create", "--name", "x", "--role", "root"],
                                                    environment: environment, directory: directory)
                #expect(badRole.status != 0)
            }
        }
    }

    @Test func serveReadsTheCentralEnvAndRoutesToLogLama() async throws {
        try await withLogLama { logLamaPort in
            let directory = temporaryDirectory(prefix: "apilama-serve")
            let port = closedPort()
            let central = """
                PYLAMA_API_TOKEN=plm_from-the-central-env-file
                PYLAMA_INTERNAL_TOKEN=int_from-the-central-env-file
                LOGLAMA_URL=http://127.0.0.1:\(logLamaPort)
                APILAMA_DB=\(directory)/gateway.db
                """
            try central.write(toFile: directory + "/central.env", atomically: true, encoding: .utf8)
            let environment = ["HOME": directory, "PYLAMA_ENV": directory + "/central.env"]
            let (process, _, _) = try APILamaBinary.start(["serve", "--port", String(port)], environment: environment,
                                                          directory: directory)
            defer {
                process.terminate()
                process.waitUntilExit()
            }
            let base = "http://127.0.0.1:\(port)"
            try await withDeadline {
                while true {
                    let request = HTTPClientRequest(url: base + "/health")
                    if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                       response.status.code == 200 { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            var request = HTTPClientRequest(url: base + "/api/loglama/health")
            request.headers.add(name: "Authorization", value: "Bearer plm_from-the-central-env-file")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            #expect(response.status.code == 200, "\(body)")
            #expect(body.contains("loglama"))
            #expect(FileManager.default.fileExists(atPath: directory + "/gateway.db"))
        }
    }

    @Test func serveRefusesToStartWithoutTheInternalToken() throws {
        let directory = temporaryDirectory(prefix: "apilama-serve")
        let result = try APILamaBinary.run(["serve", "--port", "0"],
                                           environment: ["HOME": directory, "PYLAMA_ENV": directory + "/none.env"],
                                           directory: directory)
        #expect(result.status != 0)
        #expect(result.stderr.contains("PYLAMA_INTERNAL_TOKEN"), "\(result.stderr)")
    }
}
