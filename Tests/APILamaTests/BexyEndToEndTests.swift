import APILama
import Bexy
import BexyAudit
import Foundation
import Jail
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Browser -> APILama -> BEXY -> sandbox -> audit, all real: the `bexy-server` binary runs jobs in real
/// sandboxes behind a live gateway.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct BexyEndToEndTests {
    @Test func codeRunsThroughTheGatewayAndIsAuditedUnderTheCallersName() async throws {
        let bexy = try await BexyServerProcess.start()
        defer { bexy.stop() }
        try await withGateway(upstreams: ["bexy": bexy.port]) { gateway in
            let checker = OpenAPIChecker(document: try #require(try await gateway.send(.GET, "/api/openapi.json").json))
            let token = try await gateway.token(.user, name: "e2e-user")
            let program = #"{"code": "print(6 * 7)"}"#

            expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute", body: program),
                           status: 401, code: "unauthorized")

            let ran = try await gateway.send(.POST, "/api/bexy/execute", token: token, body: program)
            #expect(ran.status == 200, "\(ran.text)")
            #expect(ran.json?["stdout"]?.string == "42\n")
            #expect(ran.json?["success"]?.bool == true)
            #expect(checker.problems("POST", "/api/bexy/execute", status: ran.status, body: ran.json).isEmpty)

            let failed = try await gateway.send(.POST, "/api/bexy/execute", token: token, body: #"{"code": "1/0"}"#)
            #expect(failed.status == 200, "\(failed.text)")
            #expect(failed.json?["success"]?.bool == false)
            #expect(failed.json?["error_type"]?.string == "ZeroDivisionError")

            for path in ["/api/bexy/health", "/api/bexy/profiles"] {
                let reply = try await gateway.send(.GET, path, token: token)
                #expect(reply.status == 200, "\(path): \(reply.text)")
                #expect(checker.problems("GET", path, status: reply.status, body: reply.json).isEmpty)
            }

            let ids = [ran, failed].compactMap { $0.json?["id"]?.string }
            let records = try AuditSpool(path: bexy.stateDirectory + "/audit.db").list(limit: 100)
            for id in ids {
                let matching = records.filter { $0.id == id }
                #expect(matching.count == 1, "audit records for \(id): \(matching.count)")
                #expect(matching.first?.requester == "e2e-user")
            }
        }
    }
}

/// The real `bexy-server` binary on a free loopback port, with a private state directory.
struct BexyServerProcess {
    let process: Process
    let port: Int
    let stateDirectory: String

    /// Starts it with the gateway's internal token (and the central `.env` lines `settings`) and waits for its
    /// `listening on` line.
    static func start(settings: [String: String] = [:]) async throws -> BexyServerProcess {
        let directory = temporaryDirectory(prefix: "apilama-bexy")
        let lines = (["PYLAMA_INTERNAL_TOKEN": Gateway.internalToken].merging(settings) { $1 }).map { "\($0)=\($1)\n" }
        try lines.joined().write(toFile: directory + "/central.env", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestHost.binary("bexy-server"))
        process.arguments = ["--port", "0", "--slots", "1"]
        process.environment = ["HOME": directory, "PYLAMA_ENV": directory + "/central.env",
                               "BEXY_STATE_DIR": directory, "BEXY_PROFILES_DIR": TestHost.repositoryRoot + "/profiles",
                               "PATH": "/usr/local/bin:/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        let port = try await withDeadline {
            var text = ""
            while true {
                let data = reader.availableData
                if data.isEmpty { throw BexyServerFailed(output: text) }
                text += String(decoding: data, as: UTF8.self)
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("bexy-server listening on ") }),
                   let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                    return port
                }
            }
        }
        return BexyServerProcess(process: process, port: port, stateDirectory: directory)
    }

    /// SIGTERM, then wait for it to exit.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BexyServerFailed: Error, CustomStringConvertible {
    var output: String
    var description: String { "bexy-server exited before listening: \(output)" }
}
