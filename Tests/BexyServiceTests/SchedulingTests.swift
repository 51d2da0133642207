import Bexy
import ServiceHTTP
import TestSupport
import Testing

extension BexyServiceTests {
    @Suite struct Scheduling {
        static let longJob = json(["code": "import time\ntime.sleep(5)\nprint('done')"])

        /// Wait until `/health` shows `running` jobs and `queued` waiting ones.
        static func awaitLoad(_ server: LiveBexy, running: Int, queued: Int = 0) async throws {
            try await Harness.eventually("running=\(running) queued=\(queued)") {
                let scheduler = try await server.get("/health", headers: []).json["scheduler"]
                return scheduler?["running"]?.int == running && scheduler?["queued"]?.int == queued
            }
        }

        @Test func aFullQueueIs429WithRetryAfterAndNothingHangs() async throws {
            try await LiveBexy.run(slots: 1, queue: 1) { server in
                try await withThrowingTaskGroup(of: Reply.self) { group in
                    for _ in 0..<2 { group.addTask { try await server.execute(Self.longJob) } }
                    // One job runs and one waits: the queue is full, so two more at once are both refused.
                    try await Self.awaitLoad(server, running: 1, queued: 1)
                    for _ in 0..<2 { group.addTask { try await server.execute(Self.longJob) } }
                    var replies: [Reply] = []
                    for try await reply in group { replies.append(reply) }
                    let refused = replies.filter { $0.status == 429 }
                    let ran = replies.filter { $0.status == 200 }
                    #expect(refused.count == 2, "\(replies)")
                    #expect(ran.count == 2, "\(replies)")
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
            try await LiveBexy.run(slots: 2, queue: 8) { server in
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
            #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
        }

        @Test func aClientThatDisconnectsGetsItsJobKilled() async throws {
            try await LiveBexy.run(slots: 1) { server in
                do {
                    let connection = try RawConnection(port: server.port)
                    connection.post("/execute", body: json(["code": "import time\ntime.sleep(60)"]),
                                    headers: Harness.authorized + [("X-PyLama-Requester", "leaver")])
                    try await Self.awaitLoad(server, running: 1)
                }  // the connection closes here, mid-job
                try await Harness.eventually("the job's audit record") { try !server.auditRecords().isEmpty }
                let records = try server.auditRecords()
                #expect(records.count == 1)
                #expect(records.first?.status == .cancelled)
                #expect(records.first?.requester == "leaver")
                #expect(records.first.map { $0.wallMs < 60_000 } == true, "killed, not run to its end")
                try await Self.awaitLoad(server, running: 0)
                #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")

                // The slot is free again and the server still serves.
                let reply = try await server.execute(json(["code": "print(1)"]))
                #expect(reply.json["status"]?.string == "ok")
            }
        }

        @Test func everyExecutionHasExactlyOneAuditRecordWithItsRequester() async throws {
            try await LiveBexy.run { server in
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
