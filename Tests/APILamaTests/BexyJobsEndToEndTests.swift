import AsyncHTTPClient
import Bexy
import BexyAudit
import TestSupport
import Testing

extension BexyEndToEndTests {
    /// Prints `tick 0` ... `tick 5`, one every 0.5 s.
    static let ticker = #"{"code": "import time\nfor n in range(6):\n    print(f'tick {n}', flush=True)\n    time.sleep(0.5)"}"#

    @Test func aJobsEventsPassThroughTheGatewayAsTheyAreProduced() async throws {
        let bexy = try await BexyServerProcess.start(internalToken: Gateway.internalToken)
        defer { bexy.stop() }
        try await withGateway(upstreams: ["bexy": bexy.port]) { gateway in
            let checker = OpenAPIChecker(document: try #require(try await gateway.send(.GET, "/api/openapi.json").json))
            let token = try await gateway.token(.user, name: "jobs-user")

            // A client's own X-Forwarded-Prefix is replaced by the gateway's.
            let accepted = try await gateway.send(.POST, "/api/bexy/jobs", token: token,
                                                  headers: [("X-Forwarded-Prefix", "/elsewhere")], body: Self.ticker)
            #expect(accepted.status == 202, "\(accepted.text)")
            #expect(checker.problems("POST", "/api/bexy/jobs", status: accepted.status, body: accepted.json).isEmpty)
            let id = try #require(accepted.json?["id"]?.string)
            // The links and Location work from where they were fetched: through the gateway.
            let job = try #require(accepted.json?["links"]?["self"]?.string)
            #expect(job == "/api/bexy/jobs/\(id)")
            #expect(accepted.header("Location") == job)
            #expect(accepted.json?["links"]?["events"]?.string == job + "/events")

            let (stateAtFirstOutput, stream) = try await withDeadline {
                var request = HTTPClientRequest(url: gateway.baseURL + job + "/events")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                var received = "", stateAtFirstOutput: String?
                for try await chunk in response.body {
                    received += String(buffer: chunk)
                    if stateAtFirstOutput == nil, received.contains("event: stdout") {
                        // The first chunk came through the gateway while the job still runs: it was not held back.
                        let now = try await gateway.send(.GET, job, token: token)
                        #expect(checker.problems("GET", "/api/bexy/jobs/{id}", status: now.status, body: now.json).isEmpty)
                        stateAtFirstOutput = now.json?["state"]?.string
                    }
                }
                return (stateAtFirstOutput, received)
            }
            #expect(stateAtFirstOutput == "running")
            let events = stream.split(separator: "\n\n").map { $0.split(separator: "\n").first ?? "" }
            #expect(events.count > 2, "several chunks, then the result: \(stream)")
            #expect(events.last == "event: result")
            #expect(events.dropLast().allSatisfy { $0 == "event: stdout" }, "\(stream)")

            let ended = try await gateway.send(.GET, job, token: token)
            #expect(ended.json?["state"]?.string == "finished")
            #expect(ended.json?["links"]?["self"]?.string == job)
            #expect(ended.json?["result"]?["stdout"]?.string == (0..<6).map { "tick \($0)\n" }.joined())
            let deleted = try await gateway.send(.DELETE, job, token: token)
            #expect(deleted.status == 200)
            #expect(checker.problems("DELETE", "/api/bexy/jobs/{id}", status: deleted.status, body: deleted.json).isEmpty)
            // Deleted is forgotten.
            #expect(try await gateway.send(.GET, job, token: token).status == 404)
            let unknown = try await gateway.send(.GET, "/api/bexy/jobs/no-such-job", token: token)
            #expect(unknown.status == 404)
            #expect(checker.problems("GET", "/api/bexy/jobs/{id}", status: 404, body: unknown.json).isEmpty)

            // One id: the job's, the result's, the audit record's.
            #expect(ended.json?["result"]?["id"]?.string == id)
            let records = try AuditSpool(path: bexy.stateDirectory + "/audit.db").list(limit: 100)
            #expect(records.filter { $0.id == id }.map(\.requester) == ["jobs-user"])
            #expect(records.filter { $0.id == id }.map(\.status) == [.ok])
        }
    }
}
