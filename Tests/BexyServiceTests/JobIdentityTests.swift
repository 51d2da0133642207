import Bexy
import BexyService
import Contracts
import ServiceHTTP
import TestSupport
import Testing

extension ScriptedServiceTests {
    /// One id per execution (job, result, audit record), links that work from where they were fetched, the audit
    /// record written ahead of the run, and a deleted job forgotten.
    @Suite struct JobIdentity {
        static let programs = scripts(["sleeper": .runsUntilCancelled(printingFirst: "started\n")])

        @Test func linksAndLocationStartWithTheForwardedPrefix() async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                let behindGateway = Harness.authorized + [("X-Forwarded-Prefix", "/api/bexy")]
                let accepted = try await server.submit(json(["code": "print(1)"]), headers: behindGateway)
                #expect(accepted.status == 202, "\(accepted)")
                let id = try #require(accepted.json["id"]?.string)
                #expect(accepted.json["links"]?["self"]?.string == "/api/bexy/jobs/\(id)")
                #expect(accepted.json["links"]?["events"]?.string == "/api/bexy/jobs/\(id)/events")
                #expect(accepted.headers.first(name: "Location") == "/api/bexy/jobs/\(id)")
                // Each answer's links follow the request that asked.
                let prefixed = try await server.get("/jobs/\(id)", headers: behindGateway)
                #expect(prefixed.json["links"]?["self"]?.string == "/api/bexy/jobs/\(id)")
                let direct = try await server.get("/jobs/\(id)")
                #expect(direct.json["links"]?["self"]?.string == "/jobs/\(id)")
                let refused = try await server.submit(json(["code": "print(1)"]),
                                                      headers: Harness.authorized + [("X-Forwarded-Prefix", "api")])
                #expect(refused.status == 400 && refused.json.errorField == "X-Forwarded-Prefix", "\(refused)")
            }
        }

        @Test func theJobTheResultAndTheAuditRecordShareOneID() async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                let id = try await server.submitJob(json(["code": "print(1)"]))
                let ended = try await server.awaitJobEnd(id)
                #expect(ended.json["result"]?["id"]?.string == id)
                let executed = try await server.execute(json(["code": "print(2)"]))
                let executedID = try #require(executed.json["id"]?.string)
                #expect(Set(try server.auditRecords().map(\.id)) == [id, executedID])
            }
        }

        @Test func theAuditRecordIsWrittenAheadAndCompletedUnderTheSameID() async throws {
            try await LiveBexy.run(slots: 1, script: Self.programs) { server in
                let id = try await server.submitJob(json(["code": "sleeper"]),
                                                    headers: Harness.authorized + [("X-PyLama-Requester", "dave")])
                let events = try await server.jobEvents(id)
                #expect(try await events.next()?.name == "stdout")
                // While it runs: one `started` record with the code's hash and the requester, not yet forwardable.
                let started = try server.auditRecords()
                #expect(started.map(\.id) == [id])
                #expect(started.map(\.status) == [.started])
                #expect(started.first?.requester == "dave")
                #expect(started.first?.codeSha256 == AuditRecord.sha256Hex(Array("sleeper".utf8)))
                #expect(try server.spool.pending(limit: 10).isEmpty)

                #expect(try await server.cancelJob(id).status == 202)
                _ = try await events.rest()
                try await server.awaitLoad(running: 0)
                let ended = try server.auditRecords()
                #expect(ended.map(\.id) == [id])
                #expect(ended.map(\.status) == [.cancelled])
                #expect(try server.spool.pending(limit: 10).map(\.record.id) == [id])
            }
        }

        @Test func aDeletedJobIsForgotten() async throws {
            try await LiveBexy.run(slots: 1, script: Self.programs) { server in
                let id = try await server.submitJob(json(["code": "sleeper"]))
                let events = try await server.jobEvents(id)
                #expect(try await events.next()?.name == "stdout")
                let deleted = try await server.cancelJob(id)
                #expect(deleted.status == 202 && deleted.json["state"]?.string == "running", "\(deleted)")
                for reply in [try await server.get("/jobs/\(id)"), try await server.get("/jobs/\(id)/events"),
                              try await server.cancelJob(id)] {
                    #expect(reply.status == 404 && reply.json.errorCode == "not_found", "\(reply)")
                }
                #expect(try await events.rest().last?.data["status"]?.string == "cancelled")
            }
        }

        @Test(arguments: [
            (#"{"code": "1", "timeout": null}"#, "timeout"),
            (#"{"code": "1", "options": {"timeout": null}}"#, "options.timeout"),
            (#"{"code": "1", "options": {"memory_limit": null}}"#, "options.memory_limit"),
        ])
        func aNullLimitIsRefusedOnJobsAsOnExecute(body: String, field: String) async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                for reply in [try await server.submit(body), try await server.execute(body)] {
                    #expect(reply.status == 400, "\(reply)")
                    #expect(reply.json.errorField == field, "\(reply)")
                    #expect(reply.json.errorCode == "invalid_field", "\(reply)")
                }
                #expect(try server.auditRecords().isEmpty)
            }
        }
    }
}
