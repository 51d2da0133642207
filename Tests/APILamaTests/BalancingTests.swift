import APILama
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceHTTP
import Synchronization
import TestSupport
import Testing

/// Several BEXY instances behind one gateway (`BEXY_URL` lists them): new work goes to a healthy instance with room,
/// work refused before it started is sent to another, work that may have started never is, and a job's requests
/// follow it to its instance. The instances are small real HTTP servers on loopback that answer as BEXY does.
@Suite struct BalancingTests {
    /// One fake BEXY: how many requests it served, and what it answers to new work.
    final class FakeBexy: Sendable {
        let name: String
        let served = Mutex(0)
        let newWorkStatus: Mutex<HTTPResponse.Status>
        let jobs = Mutex<Set<String>>([])

        init(_ name: String, answering status: HTTPResponse.Status = .ok) {
            self.name = name
            newWorkStatus = Mutex(status)
        }

        var count: Int { served.withLock { $0 } }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.get("/health") { _, _ in
                try JSONResponse.make(JSONValue.object(["status": .string("healthy"), "service": .string("bexy"),
                    "scheduler": .object(["slots": .integer(2), "running": .integer(0), "queued": .integer(0),
                                          "accepting": .bool(true)])]))
            }
            router.post("/execute") { _, _ in try self.newWork(.object(["status": .string("ok"), "stdout": .string(self.name)])) }
            router.post("/jobs") { _, _ in
                let id = UUID().uuidString.lowercased()
                let status = self.newWorkStatus.withLock { $0 }
                self.served.withLock { $0 += 1 }
                guard status == .ok else { return try JSONResponse.make(JSONValue.object(["error": .string("busy")]), status: status) }
                self.jobs.withLock { _ = $0.insert(id) }
                var response = try JSONResponse.make(JSONValue.object(["id": .string(id), "state": .string("queued")]),
                                                     status: .accepted)
                response.headers[.location] = "/api/bexy/jobs/\(id)"
                return response
            }
            router.get("/jobs/:id") { _, context in
                let id = context.parameters.get("id") ?? ""
                guard self.jobs.withLock({ $0.contains(id) }) else {
                    return try JSONResponse.make(JSONValue.object(["error": .string("no such job")]), status: .notFound)
                }
                return try JSONResponse.make(JSONValue.object(["id": .string(id), "instance": .string(self.name)]))
            }
            return router
        }

        private func newWork(_ answer: JSONValue) throws -> Response {
            served.withLock { $0 += 1 }
            let status = newWorkStatus.withLock { $0 }
            return try JSONResponse.make(status == .ok ? answer : JSONValue.object(["error": .string("refused")]), status: status)
        }
    }

    /// A gateway whose BEXY_URL lists `ports` (a closed port stands for an instance that is down).
    func withBalancedGateway(_ ports: [Int], timeout: Duration = .seconds(60),
                             _ body: (Gateway) async throws -> Void) async throws {
        let list = ports.map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
        try await withGateway(configure: { configuration in
            configuration.upstreamTimeout = timeout
            configuration.rateLimit = RateLimit(perSecond: 10_000, burst: 10_000)
            configuration.instanceProbeInterval = .milliseconds(200)
            configuration.upstreams = configuration.upstreams.map { upstream in
                upstream.route == "bexy" ? Upstream(route: "bexy", service: "bexy", baseURL: list) : upstream
            }
        }, body)
    }

    static let execute = #"{"code": "print(1)"}"#

    /// Waits (at most 5 s) until `/api/health` shows `instances` healthy BEXY instances.
    func waitUntilHealthy(_ gateway: Gateway, instances: Int) async throws {
        for _ in 0..<50 {
            let health = try await gateway.send(.GET, "/api/health")
            let bexy = health.json?["services"]?.array.first { $0["name"]?.string == "bexy" }
            if (bexy?["instances"]?.array ?? []).filter({ $0["active"]?.bool == true }).count == instances { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the gateway did not see \(instances) healthy instances")
    }

    @Test func newWorkIsSpreadOverTheInstances() async throws {
        let instances = [FakeBexy("a"), FakeBexy("b"), FakeBexy("c")]
        try await withHTTPServer(instances[0].router) { a in
            try await withHTTPServer(instances[1].router) { b in
                try await withHTTPServer(instances[2].router) { c in
                    try await withBalancedGateway([a, b, c]) { gateway in
                        for _ in 0..<30 {
                            let reply = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                                               body: Self.execute)
                            #expect(reply.status == 200, "\(reply.text)")
                        }
                        #expect(instances.map(\.count).reduce(0, +) == 30)
                        #expect(instances.allSatisfy { $0.count >= 5 }, "\(instances.map(\.count))")
                        let health = try await gateway.send(.GET, "/api/health")
                        let bexy = health.json?["services"]?.array.first { $0["name"]?.string == "bexy" }
                        #expect(bexy?["instances"]?.array.count == 3 && bexy?["active"]?.bool == true, "\(health.text)")
                    }
                }
            }
        }
    }

    /// An instance that is down, and one that answers 429 or 503, refused the job before it started: the job runs
    /// on the next one. When every instance refuses, the last refusal is the answer.
    @Test func workRefusedBeforeItStartedGoesToAnotherInstance() async throws {
        let busy = FakeBexy("busy", answering: .tooManyRequests)
        let draining = FakeBexy("draining", answering: .serviceUnavailable)
        let good = FakeBexy("good")
        try await withHTTPServer(busy.router) { busyPort in
            try await withHTTPServer(draining.router) { drainingPort in
                try await withHTTPServer(good.router) { goodPort in
                    try await withBalancedGateway([refusedPort(), busyPort, drainingPort, goodPort]) { gateway in
                        for _ in 0..<8 {
                            let reply = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                                               body: Self.execute)
                            #expect(reply.status == 200 && reply.json?["stdout"]?.string == "good", "\(reply.text)")
                            let job = try await gateway.send(.POST, "/api/bexy/jobs", token: Gateway.adminToken,
                                                             body: Self.execute)
                            #expect(job.status == 202, "\(job.text)")
                        }
                        #expect(good.count == 16)
                    }
                    good.newWorkStatus.withLock { $0 = .tooManyRequests }
                    try await withBalancedGateway([busyPort, goodPort]) { gateway in
                        let reply = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken,
                                                           body: Self.execute)
                        #expect(reply.status == 429, "\(reply.text)")
                    }
                }
            }
        }
        try await withBalancedGateway([refusedPort(), refusedPort()]) { gateway in
            let reply = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken, body: Self.execute)
            expectEnvelope(reply, status: 503, code: "service_unavailable")
            #expect(reply.json?["error"]?["message"]?.string?.contains("no bexy instance took the request") == true)
        }
    }

    /// An instance that took the request and gave no answer in time may have run it: 504 saying so, and the
    /// request is not sent to the other instance.
    @Test func workThatMayHaveStartedIsNeverSentAgain() async throws {
        let other = FakeBexy("other"), hanging = FakeBexy("hanging")
        let router = hanging.router
        router.post("/slow") { _, _ in
            try await Task.sleep(for: .seconds(5))
            return Response(status: .ok)
        }
        try await withHTTPServer(other.router) { otherPort in
            try await withHTTPServer(router) { hangingPort in
                try await withBalancedGateway([hangingPort, otherPort], timeout: .seconds(1)) { gateway in
                    try await waitUntilHealthy(gateway, instances: 2)
                    var timedOut: Reply?
                    for _ in 0..<6 where timedOut == nil {
                        let reply = try await gateway.send(.POST, "/api/bexy/slow", token: Gateway.adminToken,
                                                           body: Self.execute)
                        if reply.status != 404 { timedOut = reply }  // the other instance has no /slow: 404
                    }
                    let reply = try #require(timedOut)
                    expectEnvelope(reply, status: 504, code: "upstream_timeout")
                    #expect(reply.json?["error"]?["message"]?.string?.contains("may have run there") == true,
                            "\(reply.text)")
                }
            }
        }
    }

    /// A job's requests go to its instance: the one that accepted it, else the one that knows it; when that
    /// instance is gone the job is reported lost, not looked for elsewhere.
    @Test func aJobsRequestsFollowItToItsInstance() async throws {
        let a = FakeBexy("a"), b = FakeBexy("b")
        // Instance a runs in a task of its own, so that it can be stopped while the gateway goes on.
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let instanceA = Task {
            try await withHTTPServer(a.router) { port in
                announce.yield(port)
                try await Task.sleep(for: .seconds(600))
            }
        }
        var iterator = ports.makeAsyncIterator()
        let aPort = try #require(await iterator.next())
        var ids: [String] = []
        try await withHTTPServer(b.router) { bPort in
            try await withBalancedGateway([aPort, bPort]) { gateway in
                try await waitUntilHealthy(gateway, instances: 2)
                for _ in 0..<8 {
                    let job = try await gateway.send(.POST, "/api/bexy/jobs", token: Gateway.adminToken, body: Self.execute)
                    ids.append(try #require(job.json?["id"]?.string, "\(job.text)"))
                }
                #expect(a.count > 0 && b.count > 0, "both instances took jobs: \(a.count) \(b.count)")
                for id in ids {
                    let state = try await gateway.send(.GET, "/api/bexy/jobs/\(id)", token: Gateway.adminToken)
                    let owner = a.jobs.withLock { $0.contains(id) } ? "a" : "b"
                    #expect(state.status == 200 && state.json?["instance"]?.string == owner, "\(state.text)")
                }
                instanceA.cancel()
                _ = await instanceA.result
                // Instance a is gone: its jobs are lost with it (503 naming it), b's are still answered.
                for id in ids {
                    let state = try await gateway.send(.GET, "/api/bexy/jobs/\(id)", token: Gateway.adminToken)
                    if a.jobs.withLock({ $0.contains(id) }) {
                        expectEnvelope(state, status: 503, code: "instance_unavailable")
                        #expect(state.json?["error"]?["message"]?.string?.contains("lost") == true)
                    } else {
                        #expect(state.status == 200, "\(state.text)")
                    }
                }
            }
            // A second gateway never saw the jobs start: it finds b's on the instance that knows them.
            try await withBalancedGateway([aPort, bPort]) { gateway in
                for id in ids where b.jobs.withLock({ $0.contains(id) }) {
                    let state = try await gateway.send(.GET, "/api/bexy/jobs/\(id)", token: Gateway.adminToken)
                    #expect(state.status == 200 && state.json?["instance"]?.string == "b", "\(state.text)")
                }
                #expect(try await gateway.send(.GET, "/api/bexy/jobs/nope", token: Gateway.adminToken).status == 404)
            }
        }
    }

    /// `BEXY_URL` forms: a list, a DNS name resolved to its addresses, a single address (no balancing).
    @Test func instanceSourcesAreReadFromTheURL() async {
        #expect(InstanceSource(url: "http://127.0.0.1:8000") == nil)
        #expect(InstanceSource(url: "http://10.0.0.5:8000, http://10.0.0.6:8000/")
                == .list(["http://10.0.0.5:8000", "http://10.0.0.6:8000"]))
        let named = InstanceSource(url: "http://localhost:8123")
        #expect(named == .dns(scheme: "http", host: "localhost", port: 8123))
        #expect(await named?.instances() == ["http://127.0.0.1:8123"])
        #expect(await InstanceSource(url: "http://no-such-host.invalid:8000")?.instances() == [])
    }
}
