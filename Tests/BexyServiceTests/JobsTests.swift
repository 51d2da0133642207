import Bexy
import BexyService
import ServiceHTTP
import TestSupport
import Testing

extension LiveBexy {
    /// `POST /jobs` with `body`.
    func submit(_ body: String, headers: [(String, String)] = Harness.authorized) async throws -> Reply {
        try await client.send(.POST, port: port, path: "/jobs", body: body, headers: headers)
    }

    /// `POST /jobs` that must be accepted; the job's id.
    func submitJob(_ body: String, headers: [(String, String)] = Harness.authorized) async throws -> String {
        let reply = try await submit(body, headers: headers)
        #expect(reply.status == 202, "\(reply)")
        return try #require(reply.json["id"]?.string, "\(reply)")
    }

    /// `DELETE /jobs/{id}`.
    func cancelJob(_ id: String) async throws -> Reply {
        try await client.send(.DELETE, port: port, path: "/jobs/\(id)", headers: Harness.authorized)
    }

    /// Poll `GET /jobs/{id}` until the job has ended; its last status.
    func awaitJobEnd(_ id: String) async throws -> Reply {
        var last: Reply?
        try await Harness.eventually("job \(id) ends") {
            last = try await get("/jobs/\(id)")
            return ["finished", "cancelled"].contains(last?.json["state"]?.string)
        }
        return try #require(last)
    }

    /// `GET /jobs/{id}/events`, read as the events come.
    func jobEvents(_ id: String) async throws -> ServerSentEvents {
        try await ServerSentEvents(client: client, port: port, path: "/jobs/\(id)/events", headers: Harness.authorized)
    }
}

extension BexyServiceTests {
    /// The jobs API end to end in real sandboxes: a job's result, and a DELETE that kills a running sandbox.
    @Suite struct Jobs {
        /// Says it started, then sleeps far longer than any test waits.
        static let sleeper = json(["code": "import time\nprint('started', flush=True)\ntime.sleep(60)"])

        @Test func aJobIsAcceptedThenFinishesWithTheExecuteResult() async throws {
            try await LiveBexy.run { server in
                let reply = try await server.submit(json(["code": "import sys\nprint('hello')\nsys.exit(3)"]))
                #expect(reply.status == 202, "\(reply)")
                let id = try #require(reply.json["id"]?.string)
                #expect(["queued", "running"].contains(reply.json["state"]?.string), "\(reply)")
                #expect(reply.json["links"]?["self"]?.string == "/jobs/\(id)")
                #expect(reply.json["links"]?["events"]?.string == "/jobs/\(id)/events")
                #expect(reply.headers.first(name: "Location") == "/jobs/\(id)")

                let ended = try await server.awaitJobEnd(id)
                #expect(ended.json["state"]?.string == "finished")
                let result = try #require(ended.json["result"])
                #expect(result.keys == Execute.resultKeys)
                #expect(result["status"]?.string == "runtime_error")
                #expect(result["exit_code"]?.int == 3)
                #expect(result["stdout"]?.string == "hello\n")
                #expect(result["id"]?.string == id)
                #expect(try server.auditRecords().map(\.id) == [id])
            }
        }

        @Test func deletingARunningJobKillsIt() async throws {
            try await LiveBexy.run(slots: 1) { server in
                let id = try await server.submitJob(Self.sleeper)
                let events = try await server.jobEvents(id)
                let started = try await events.read(until: "started\n")
                #expect(started.text(of: "stdout") == "started\n")
                let deleted = try await server.cancelJob(id)
                #expect([200, 202].contains(deleted.status), "\(deleted)")
                #expect(deleted.json["id"]?.string == id)

                // The stream already open still gets the end; the job itself is forgotten.
                let end = try #require(try await events.rest().last)
                #expect(end.name == "result")
                #expect(end.data["status"]?.string == "cancelled")
                #expect(end.data["id"]?.string == id)
                #expect(end.data["stdout"]?.string == "started\n")
                #expect(try await server.get("/jobs/\(id)").status == 404)
                #expect(try await server.cancelJob(id).status == 404)
                try await server.awaitLoad(running: 0)
                let records = try server.auditRecords()
                #expect(records.map(\.status) == [.cancelled])
                #expect(records.map(\.id) == [id])
                #expect(records.first.map { $0.wallMs < 60_000 } == true, "killed, not run to its end")
                #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
            }
        }
    }
}
