import Bexy
import Contracts
import ServiceHTTP
import TestSupport
import Testing

extension ScriptedServiceTests {
    @Suite struct Scheduling {
        @Test func aFullQueueIs429WithRetryAfterAndNothingHangs() async throws {
            let gate = JobGate()
            let longJob = ScriptedJob([.wait(gate), .output(.stdout, "done\n")])
            try await LiveBexy.run(slots: 1, queue: 1, script: scripts(otherwise: longJob)) { server in
                let body = json(["code": "import time\ntime.sleep(5)\nprint('done')"])
                try await withThrowingTaskGroup(of: Reply.self) { group in
                    for _ in 0..<2 { group.addTask { try await server.execute(body) } }
                    // One job runs and one waits: the queue is full, so two more at once are both refused.
                    try await server.awaitLoad(running: 1, queued: 1)
                    async let third = server.execute(body)
                    async let fourth = server.execute(body)
                    let refused = try await [third, fourth]
                    gate.open()
                    var ran: [Reply] = []
                    for try await reply in group { ran.append(reply) }
                    #expect(refused.allSatisfy { $0.status == 429 }, "\(refused)")
                    #expect(ran.filter { $0.status == 200 }.count == 2, "\(ran)")
                    for reply in refused {
                        #expect(reply.json.errorCode == "queue_full")
                        #expect(Int(reply.headers.first(name: "Retry-After") ?? "").map { $0 >= 1 } == true)
                    }
                    for reply in ran { #expect(reply.json["stdout"]?.string == "done\n") }
                }
                #expect(try server.auditRecords().count == 2)
            }
        }

        @Test func aHundredConcurrentRequestsOnTwoSlotsAllEnd() async throws {
            let job = ScriptedJob([.pause(.milliseconds(5)), .output(.stdout, "2\n")])
            try await LiveBexy.run(slots: 2, queue: 8, script: scripts(otherwise: job)) { server in
                let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                    for n in 0..<100 {
                        group.addTask { try await server.execute(json(["code": "print(\(n) * 2)"])) }
                    }
                    var replies: [Reply] = []
                    for try await reply in group { replies.append(reply) }
                    return replies
                }
                let ran = replies.filter { $0.status == 200 }
                let refused = replies.filter { $0.status == 429 }
                #expect(replies.count == 100)
                #expect(ran.count + refused.count == 100, "\(replies.filter { $0.status != 200 && $0.status != 429 })")
                // A request is refused only while the 2 slots and the 8 places of the queue are all taken.
                #expect(ran.count >= 10)
                #expect(ran.allSatisfy { $0.json["status"]?.string == "ok" })
                let records = try server.auditRecords()
                #expect(Set(ran.compactMap { $0.json["id"]?.string }) == Set(records.map(\.id)))
                #expect(records.count == ran.count)
            }
        }

        @Test func aClientThatDisconnectsGetsItsJobCancelled() async throws {
            let script = scripts(["print(1)": .prints("1\n")], otherwise: .runsUntilCancelled())
            try await LiveBexy.run(slots: 1, script: script) { server in
                let record = try await server.executeThenDisconnect()
                #expect(record.status == .cancelled)
                #expect(record.requester == "leaver")
                try await server.awaitLoad(running: 0)
                // The slot is free again and the server still serves.
                let reply = try await server.execute(json(["code": "print(1)"]))
                #expect(reply.json["status"]?.string == "ok")
            }
        }

        @Test func everyExecutionHasExactlyOneAuditRecordWithItsRequester() async throws {
            let exits1 = ScriptedJob([], status: .runtimeError, exitCode: 1)
            try await LiveBexy.run(script: scripts(["print(0)": .prints("0\n"), "print(2)": .prints("2\n"),
                                                    "print(4)": .prints("4\n")], otherwise: exits1)) { server in
                let requesters: [String?] = ["alice", "bob", nil, "token:ci runner", "alice", nil]
                var expected: [String: String] = [:]
                for (n, requester) in requesters.enumerated() {
                    let headers = Harness.authorized + (requester.map { [("X-PyLama-Requester", $0)] } ?? [])
                    let code = n % 2 == 0 ? "print(\(n))" : "raise SystemExit(\(n))"
                    let reply = try await server.execute(json(["code": code]), headers: headers)
                    #expect(reply.status == 200, "\(reply)")
                    expected[try #require(reply.json["id"]?.string)] = requester ?? "internal"
                }
                let records = try server.auditRecords()
                #expect(records.count == requesters.count)
                #expect(Dictionary(records.map { ($0.id, $0.requester) }, uniquingKeysWith: { $1 }) == expected)
                #expect(records.allSatisfy { $0.frontDoor == .http })
            }
        }
    }
}

extension BexyServiceTests {
    /// Cancellation reaching a real sandbox: the job is killed and leaves nothing behind.
    @Suite struct SandboxCancellation {
        @Test func aClientThatDisconnectsGetsItsJobKilled() async throws {
            try await LiveBexy.run(slots: 1) { server in
                let record = try await server.executeThenDisconnect()
                #expect(record.status == .cancelled)
                #expect(record.wallMs < 60_000, "killed, not run to its end")
                try await server.awaitLoad(running: 0)
                #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
                #expect(try await server.execute(json(["code": "print(1)"])).json["status"]?.string == "ok")
            }
        }
    }
}

extension LiveBexy {
    /// `POST /execute` a job that would run for a minute, as requester `leaver`, and close the connection once it
    /// runs; the job's audit record (the only one of this server), once it is written.
    func executeThenDisconnect() async throws -> AuditRecord {
        do {
            let connection = try RawConnection(port: port)
            connection.post("/execute", body: json(["code": "import time\ntime.sleep(60)"]),
                            headers: Harness.authorized + [("X-PyLama-Requester", "leaver")])
            try await awaitLoad(running: 1)
        }  // the connection closes here, mid-job
        // Written ahead as `started` while it runs, then completed.
        try await Harness.eventually("the job's final audit record") {
            try auditRecords().contains { $0.status != .started }
        }
        let records = try auditRecords()
        #expect(records.count == 1)
        return try #require(records.first)
    }
}
