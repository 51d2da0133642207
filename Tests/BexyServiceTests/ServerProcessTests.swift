import AsyncHTTPClient
import Bexy
import BexyAudit
import Foundation
import ServiceHTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BexyServiceTests {
    /// The `bexy-server` executable: start-up checks, signals, and restarts after `kill -9` (nothing left behind,
    /// every job in flight audited `interrupted`).
    @Suite struct ServerLifecycle {
        static let sleeper = json(["code": "import os, time\nif os.fork() == 0:\n    time.sleep(60)\ntime.sleep(60)"])
        /// For the tests that are not about forwarding: without LogLama a stopping server's forwarder tries to send
        /// the final records for 10 s before it leaves them spooled; the forwarding test keeps the forwarder.
        static let noForwarding = ["--no-forward"]

        /// Run `body` with a client, shutting the client down afterwards.
        static func withClient(_ body: (HTTPClient) async throws -> Void) async throws {
            let client = HTTPClient.loopbackClient()
            do {
                try await body(client)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }

        static func awaitRunning(_ client: HTTPClient, port: Int, _ running: Int) async throws {
            try await Harness.eventually("\(running) jobs running") {
                try await client.send(.GET, port: port, path: "/health").json["scheduler"]?["running"]?.int == running
            }
        }

        @Test func refusesToStartWithoutTheInternalToken() async throws {
            let server = try ServerProcess(["--port", "0"], environment: [:])
            #expect(try await server.waitForExit() == 2)
            let lines = server.standardError.split(separator: "\n")
            #expect(lines.count == 1, "\(server.standardError)")
            #expect(lines.first?.contains("PYLAMA_INTERNAL_TOKEN") == true)
            #expect(lines.first?.contains("loglama init") == true)
        }

        @Test func bexyServeRunsTheSiblingServer() async throws {
            let server = try ServerProcess(["serve", "--port", "0", "--slots", "1"],
                                           executable: TestHost.binaryDirectory + "/bexy")
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            try await Self.withClient { client in
                let health = try await client.send(.GET, port: port, path: "/health")
                #expect(health.json["scheduler"]?["slots"]?.int == 1)
            }
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }

        @Test func bexyServeWithoutTheServerBinaryNamesIt() async throws {
            let directory = temporaryDirectory(prefix: "bexy-alone")
            try FileManager.default.copyItem(atPath: TestHost.binaryDirectory + "/bexy", toPath: directory + "/bexy")
            let lonely = try ServerProcess(["serve"], executable: directory + "/bexy")
            #expect(try await lonely.waitForExit() == 2)
            let lines = lonely.standardError.split(separator: "\n")
            #expect(lines.count == 1, "\(lonely.standardError)")
            #expect(lines.first?.contains(directory + "/bexy-server") == true)
        }

        @Test func jobsRunWarmAndThePoolsIdleCostIsInMetrics() async throws {
            let server = try ServerProcess(["--port", "0", "--slots", "1"] + Self.noForwarding)
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            try await Self.withClient { client in
                let reply = try await client.send(.POST, port: port, path: "/execute", body: json(["code": "print(1)"]),
                                                  headers: Harness.authorized)
                #expect(reply.json["sandbox"]?.string == "warm", "\(reply)")
                #expect(reply.json["stdout"]?.string == "1\n")
                try await Harness.eventually("a ready sandbox and its cost in /metrics") {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics")
                    for (name, value) in Harness.authorized { request.headers.add(name: name, value: value) }
                    let response = try await client.execute(request, timeout: .seconds(30))
                    let lines = String(buffer: try await response.body.collect(upTo: 1 << 20)).split(separator: "\n")
                    func value(_ name: String) -> Int? {
                        lines.first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ")[1]) }
                    }
                    return (value("bexy_warm_idle_sandboxes") ?? 0) >= 1 && (value("bexy_warm_idle_memory_bytes") ?? 0) > 0
                        && (value("bexy_warm_zygote_resident_bytes") ?? 0) > 0 && value("bexy_warm_available") == 1
                        && value(#"bexy_warm_jobs_total{result="miss"}"#).map { $0 + (value(#"bexy_warm_jobs_total{result="hit"}"#) ?? 0) } == 1
                }
            }
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            // Shutdown destroys the ready sandboxes and the zygote with the server.
            #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
        }

        @Test func everyExecutionReachesLogLamaThroughTheForwarder() async throws {
            try await withLogLama { logLamaPort in
                let server = try ServerProcess(["--port", "0", "--slots", "1"], environment: [
                    "PYLAMA_INTERNAL_TOKEN": Harness.token, "LOGLAMA_URL": "http://127.0.0.1:\(logLamaPort)",
                ])
                let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
                try await Self.withClient { client in
                    var ids: [String] = []
                    for code in ["print(1)", "1/0"] {
                        let reply = try await client.send(.POST, port: port, path: "/execute", body: json(["code": code]),
                                                          headers: Harness.authorized)
                        ids.append(try #require(reply.json["id"]?.string, "\(reply)"))
                    }
                    for id in ids {
                        try await Harness.eventually("audit record \(id) in LogLama") {
                            try await client.send(.GET, port: logLamaPort, path: "/api/audit/\(id)").status == 200
                        }
                    }
                }
                server.signal(SIGTERM)
                #expect(try await server.waitForExit() == 0)
                let pending = try AuditSpool(path: server.stateDirectory + "/audit.db").pending(limit: 10)
                #expect(pending.isEmpty, "still in the spool: \(pending.map(\.record.id))")
            }
        }

        @Test func gracefulShutdownLetsRunningJobsFinish() async throws {
            let server = try ServerProcess(["--port", "0", "--slots", "1", "--grace", "60"] + Self.noForwarding)
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            try await Self.withClient { client in
                async let reply = client.send(.POST, port: port, path: "/execute",
                                              body: json(["code": "import time\ntime.sleep(2)\nprint('finished')"]),
                                              headers: Harness.authorized)
                try await Self.awaitRunning(client, port: port, 1)
                server.signal(SIGTERM)
                let finished = try await reply
                #expect(finished.status == 200)
                #expect(finished.json["status"]?.string == "ok", "\(finished)")
                #expect(finished.json["stdout"]?.string == "finished\n")
            }
            #expect(try await server.waitForExit() == 0)
            let records = try AuditSpool(path: server.stateDirectory + "/audit.db").list(limit: 10)
            #expect(records.map(\.status) == [.ok])
        }

        @Test func gracefulShutdownCancelsJobsStillRunningAfterTheGrace() async throws {
            let server = try ServerProcess(["--port", "0", "--slots", "2", "--grace", "1"] + Self.noForwarding)
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            try await Self.withClient { client in
                async let first = client.send(.POST, port: port, path: "/execute", body: Self.sleeper,
                                              headers: Harness.authorized)
                async let second = client.send(.POST, port: port, path: "/execute", body: Self.sleeper,
                                               headers: Harness.authorized)
                try await Self.awaitRunning(client, port: port, 2)
                server.signal(SIGTERM)
                for reply in try await [first, second] {
                    #expect(reply.status == 200)
                    #expect(reply.json["status"]?.string == "cancelled", "\(reply)")
                    #expect(reply.json["success"]?.bool == false)
                }
            }
            #expect(try await server.waitForExit() == 0)
            let records = try AuditSpool(path: server.stateDirectory + "/audit.db").list(limit: 10)
            #expect(records.map(\.status) == [.cancelled, .cancelled])
            #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
        }

        @Test func killedWithSigkillWithFourJobsInFlightEveryOneHasARecordAfterRestart() async throws {
            let server = try ServerProcess(["--port", "0", "--slots", "4"] + Self.noForwarding)
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            var ids: [String] = []
            try await Self.withClient { client in
                for _ in 0..<4 {
                    let accepted = try await client.send(
                        .POST, port: port, path: "/jobs",
                        body: json(["code": "import time\nprint('running', flush=True)\ntime.sleep(60)"]),
                        headers: Harness.authorized + [("X-PyLama-Requester", "frank")])
                    ids.append(try #require(accepted.json["id"]?.string, "\(accepted)"))
                }
                // Every job has run code: each has printed.
                for id in ids {
                    try await Harness.eventually("job \(id) printed") {
                        let events = try await ServerSentEvents(client: client, port: port, path: "/jobs/\(id)/events",
                                                                headers: Harness.authorized)
                        return try await events.next()?.name == "stdout"
                    }
                }
                server.signal(SIGKILL)
                #expect(try await server.waitForExit() == 128 + SIGKILL)
            }
            let restarted = try ServerProcess(["--port", "0", "--slots", "1"] + Self.noForwarding,
                                              stateDirectory: server.stateDirectory)
            _ = try #require(try await restarted.port(), "no listening line: \(restarted.standardError)")
            #expect(restarted.standardError.contains("marked 4 audit records interrupted"), "\(restarted.standardError)")
            restarted.signal(SIGTERM)
            #expect(try await restarted.waitForExit() == 0)

            let records = try AuditSpool(path: server.stateDirectory + "/audit.db").list(limit: 10)
            #expect(Set(records.map(\.id)) == Set(ids), "one record per job, under the job's id")
            #expect(records.allSatisfy { $0.status == .interrupted }, "\(records.map(\.status))")
            #expect(records.allSatisfy { $0.requester == "frank" && $0.codeBytes > 0 })
        }

        @Test func killedWithSigkillDuringJobsLeavesNothingAfterRestart() async throws {
            let server = try ServerProcess(["--port", "0", "--slots", "2"])
            let port = try #require(try await server.port(), "no listening line: \(server.standardError)")
            try await Self.withClient { client in
                let requests = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for _ in 0..<2 {
                            group.addTask {
                                _ = try? await client.send(.POST, port: port, path: "/execute", body: Self.sleeper,
                                                           headers: Harness.authorized)
                            }
                        }
                    }
                }
                try await Self.awaitRunning(client, port: port, 2)
                server.signal(SIGKILL)
                #expect(try await server.waitForExit() == 128 + SIGKILL)
                await requests.value
            }
            // The jobs die with the server (parent-death signal); their cgroups stay until the next start.
            try await Harness.eventually("the killed server's job processes are gone") {
                Leftovers.find().allSatisfy { $0.hasPrefix("cgroup ") }
            }
            #expect(!Leftovers.cgroups().isEmpty, "a server killed during jobs leaves its job cgroups")

            let restarted = try ServerProcess(["--port", "0", "--slots", "1"], stateDirectory: server.stateDirectory)
            _ = try #require(try await restarted.port(), "no listening line: \(restarted.standardError)")
            #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
            #expect(restarted.standardError.contains("removed the cgroups"))
            restarted.signal(SIGTERM)
            #expect(try await restarted.waitForExit() == 0)
        }
    }
}
