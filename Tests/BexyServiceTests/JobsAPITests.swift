import Bexy
import BexyService
import ServiceHTTP
import TestSupport
import Testing

extension ScriptedServiceTests {
    /// The jobs API over scripted jobs: states, events and their order, replay, DELETE, retention, auditing.
    @Suite struct Jobs {
        static let ticker = json(["code": "ticker"])
        static let ticks = (0..<6).map { "tick \($0)\n" }.joined()
        static let sleeper = json(["code": "sleeper"])
        /// The programs, by their code: `ticker` prints `tick 0` ... `tick 5`, one every 0.2 s; `sleeper` says
        /// it started, then runs until it is cancelled; `sleep60` runs until it is cancelled; `interleaved` prints
        /// `out n` and `err n` four times, 0.2 s apart; anything else prints nothing and exits 0.
        static let programs = scripts([
            "ticker": ticker(),
            "sleeper": .runsUntilCancelled(printingFirst: "started\n"),
            "sleep60": .runsUntilCancelled(),
            "interleaved": ScriptedJob((0..<4).flatMap { n in
                [ScriptedJob.Step.output(.stdout, "out \(n)\n"), .output(.stderr, "err \(n)\n"),
                 .pause(.milliseconds(200))]
            }),
        ])

        /// `tick 0` ... `tick 5`, one every 0.2 s; with a `gate`, it waits there after `tick 0`.
        static func ticker(holdingAfterTheFirstTickAt gate: JobGate? = nil) -> ScriptedJob {
            ScriptedJob((0..<6).flatMap { n in
                [ScriptedJob.Step.output(.stdout, "tick \(n)\n"), .pause(.milliseconds(200))]
                    + (n == 0 ? gate.map { [ScriptedJob.Step.wait($0)] } ?? [] : [])
            })
        }

        @Test func aBadJobIsRefusedLikeAnExecution() async throws {
            try await LiveBexy.run(slots: 1, queue: 0, limits: .init(codeBytes: 100), script: Self.programs) { server in
                let missing = try await server.submit(#"{"stdin": "x"}"#)
                #expect(missing.status == 400 && missing.json.errorField == "code", "\(missing)")
                let large = try await server.submit(json(["code": String(repeating: "#", count: 101)]))
                #expect(large.status == 413 && large.json.errorField == "code", "\(large)")

                // One running job takes the only slot and the queue has no room: the next is 429.
                let running = try await server.submitJob(Self.sleeper)
                let events = try await server.jobEvents(running)
                #expect(try await events.next()?.name == "stdout")
                let full = try await server.submit(json(["code": "print(1)"]))
                #expect(full.status == 429 && full.json.errorCode == "queue_full", "\(full)")
                #expect(full.headers.first(name: "Retry-After") != nil)
                _ = try await server.cancelJob(running)
                #expect(try await events.rest().last?.name == "result")
                #expect(try server.auditRecords().count == 1, "refused jobs are not audited")
            }
        }

        @Test func eventsArriveWhileTheJobRunsThenTheResultEndsTheStream() async throws {
            let gate = JobGate()
            try await LiveBexy.run(script: scripts(["ticker": Self.ticker(holdingAfterTheFirstTickAt: gate)])) {
                server in
                let id = try await server.submitJob(Self.ticker)
                let events = try await server.jobEvents(id)
                #expect(events.status == 200)
                #expect(events.contentType?.hasPrefix("text/event-stream") == true)
                let first = try #require(try await events.next())
                #expect(first.name == "stdout")
                // The first chunk is here before the job has ended: it was streamed, not sent at the end.
                let now = try await server.get("/jobs/\(id)")
                #expect(now.json["state"]?.string == "running", "\(now)")
                #expect(now.json["result"] == nil)
                gate.open()

                let all = [first] + (try await events.rest())
                #expect(all.count > 2, "several chunks, then the result: \(all.map(\.name))")
                #expect(all.dropLast().allSatisfy { $0.name == "stdout" })
                let result = try #require(all.last)
                #expect(result.name == "result")
                #expect(result.data["status"]?.string == "ok")
                #expect(result.data["stdout"]?.string == Self.ticks)
                #expect(all.text(of: "stdout") == Self.ticks)
            }
        }

        @Test func aLateSubscriberGetsTheReplayThenTheLiveEvents() async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                let id = try await server.submitJob(json(["code": "interleaved"]))
                let early = try await server.jobEvents(id)
                let seen = try await early.read(until: "err 1\n", on: "stderr")
                // Connecting now, mid-run: what was printed so far comes first, then the rest as it comes.
                let late = try await server.jobEvents(id)
                let lateEvents = try await late.rest()
                let earlyEvents = seen + (try await early.rest())
                let stdout = (0..<4).map { "out \($0)\n" }.joined(), stderr = (0..<4).map { "err \($0)\n" }.joined()
                for events in [earlyEvents, lateEvents] {
                    #expect(events.text(of: "stdout") == stdout)
                    #expect(events.text(of: "stderr") == stderr)
                    #expect(events.last?.name == "result")
                    #expect(events.filter { $0.name == "result" }.count == 1)
                }
                #expect(lateEvents.first.map { $0.name != "result" } == true, "the replay precedes the result")

                // After the end a subscriber gets the whole replay and the result at once.
                let after = try await server.jobEvents(id).rest()
                #expect(after.text(of: "stdout") == stdout && after.text(of: "stderr") == stderr)
                #expect(after.last?.data["id"] == earlyEvents.last?.data["id"])
            }
        }

        @Test func anEventsClientThatGoesAwayLeavesTheJobRunning() async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                let id = try await server.submitJob(Self.ticker)
                let (connected, signal) = AsyncStream.makeStream(of: Void.self)
                let watcher = Task {
                    let events = try await server.jobEvents(id)
                    _ = try await events.read(until: "tick 0\n")
                    signal.yield()
                    _ = try await events.rest()
                }
                for await _ in connected { break }
                watcher.cancel()  // the events client goes away mid-job
                _ = await watcher.result
                let ended = try await server.awaitJobEnd(id)
                #expect(ended.json["state"]?.string == "finished")
                #expect(ended.json["result"]?["stdout"]?.string == Self.ticks)
            }
        }

        @Test func deletingAQueuedJobWithdrawsItAndAuditsIt() async throws {
            try await LiveBexy.run(slots: 1, script: Self.programs) { server in
                let running = try await server.submitJob(Self.sleeper)
                let events = try await server.jobEvents(running)
                #expect(try await events.next()?.name == "stdout")
                let queued = try await server.submitJob(json(["code": "print('never')"]),
                                                        headers: Harness.authorized + [("X-PyLama-Requester", "carol")])
                #expect(try await server.get("/jobs/\(queued)").json["state"]?.string == "queued")

                let deleted = try await server.cancelJob(queued)
                #expect(deleted.status == 200, "\(deleted)")
                #expect(deleted.json["state"]?.string == "cancelled")
                let result = try #require(deleted.json["result"])
                #expect(result["status"]?.string == "cancelled")
                #expect(result["stdout"]?.string == "")
                #expect(result["id"]?.string == queued)
                // Deleted is forgotten.
                #expect(try await server.get("/jobs/\(queued)").status == 404)
                #expect(try await server.get("/jobs/\(queued)/events").status == 404)
                #expect(try await server.cancelJob(queued).status == 404)

                let record = try #require(try server.auditRecords().first { $0.id == queued })
                #expect(record.status == .cancelled)
                #expect(record.requester == "carol")
                #expect(record.hostUid == 0, "it never ran")
                _ = try await server.cancelJob(running)
                _ = try await events.rest()
                #expect(try server.auditRecords().count == 2)
            }
        }

        @Test func anUnknownJobIs404() async throws {
            try await LiveBexy.run(script: Self.programs) { server in
                for reply in [try await server.get("/jobs/no-such-job"), try await server.get("/jobs/no-such-job/events"),
                              try await server.cancelJob("no-such-job")] {
                    #expect(reply.status == 404, "\(reply)")
                    #expect(reply.json.errorCode == "not_found")
                }
            }
        }

        @Test func endedJobsAreForgottenBeyondTheRetainedCount() async throws {
            try await LiveBexy.run(jobRetention: .init(count: 1), script: Self.programs) { server in
                let first = try await server.submitJob(json(["code": "print(1)"]))
                _ = try await server.awaitJobEnd(first)
                let second = try await server.submitJob(json(["code": "print(2)"]))
                _ = try await server.awaitJobEnd(second)
                #expect(try await server.get("/jobs/\(first)").status == 404)
                #expect(try await server.get("/jobs/\(second)").json["state"]?.string == "finished")
            }
        }

        @Test func endedJobsAreForgottenAfterTheRetentionTime() async throws {
            try await LiveBexy.run(jobRetention: .init(time: .milliseconds(200)), script: Self.programs) { server in
                let id = try await server.submitJob(json(["code": "print(1)"]))
                try await Harness.eventually("the ended job is forgotten") {
                    let reply = try await server.get("/jobs/\(id)")
                    #expect(reply.status == 200 || reply.status == 404, "\(reply)")
                    return reply.status == 404
                }
                #expect(try server.auditRecords().count == 1)
            }
        }

        @Test func everyJobIsAuditedOnceWithItsRequester() async throws {
            try await LiveBexy.run(slots: 1, script: Self.programs) { server in
                var expected: [String: String] = [:]
                var ids: [String] = []
                for (n, requester) in [("alice" as String?), "bob", nil, "token:ci runner"].enumerated() {
                    let headers = Harness.authorized + (requester.map { [("X-PyLama-Requester", $0)] } ?? [])
                    let code = n == 0 ? "sleep60" : "print(\(n))"
                    ids.append(try await server.submitJob(json(["code": code]), headers: headers))
                    expected[ids[n]] = requester ?? "internal"
                }
                // The first runs (and is killed), the second is withdrawn from the queue, the others run.
                _ = try await server.cancelJob(ids[1])
                _ = try await server.cancelJob(ids[0])
                for id in ids[2...] { _ = try await server.awaitJobEnd(id) }
                let records = try server.auditRecords()
                #expect(records.count == ids.count)
                #expect(!records.contains { $0.status == .started }, "\(records.map(\.status))")
                // The audit record's id is the job's.
                #expect(Dictionary(records.map { ($0.id, $0.requester) }, uniquingKeysWith: { $1 }) == expected)
                #expect(records.allSatisfy { $0.frontDoor == .http })
            }
        }
    }
}
