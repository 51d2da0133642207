import APILama
import AsyncHTTPClient
import Hummingbird
import NIOCore
import Synchronization
import TestSupport
import Testing

/// The gateway's connection pools under load: many simultaneous requests reach the service together, open event
/// streams never starve short requests, and a full pool is a 503 with `Retry-After`, never a 502.
@Suite struct ConnectionPoolTests {
    /// A test client of its own with room for every connection the tests open at once (the shared client keeps 8
    /// per host, which would queue the requests on this side before the gateway sees them).
    static func withClient(_ body: (HTTPClient) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await body(client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The token buckets out of the way: these tests load the pools, not the rate limit.
    static func noRateLimit(_ configuration: inout APILamaConfiguration) {
        configuration.rateLimit = RateLimit(perSecond: 10_000, burst: 10_000)
    }

    static func get(_ client: HTTPClient, _ url: String, accept: String? = nil) async throws -> (Int, String, String?) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(Gateway.adminToken)")
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text, response.headers.first(name: "Retry-After"))
    }

    /// `GET /together`: waits until `count` requests are inside the service at once (or 10 s pass) and answers
    /// `together` or `alone`: every request answers `together` only if all of them were in flight at the same time.
    static func rendezvous(count: Int) -> Router<BasicRequestContext> {
        let arrived = Mutex(0)
        let router = Router()
        router.get("/together") { _, _ -> String in
            arrived.withLock { $0 += 1 }
            for _ in 0..<200 {
                if arrived.withLock({ $0 }) >= count { return "together" }
                try await Task.sleep(for: .milliseconds(50))
            }
            return "alone"
        }
        return router
    }

    @Test func sixtyFourSimultaneousRequestsAreInTheServiceAtOnce() async throws {
        let count = 64
        try await withHTTPServer(Self.rendezvous(count: count)) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort], configure: Self.noRateLimit) { gateway in
                try await Self.withClient { client in
                    let replies = try await withThrowingTaskGroup(of: (Int, String, String?).self) { group in
                        for _ in 0..<count {
                            group.addTask { try await Self.get(client, gateway.baseURL + "/api/bexy/together") }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(replies.count == count)
                    #expect(replies.filter { $0.0 == 200 && $0.1 == "together" }.count == count,
                            "\(Dictionary(grouping: replies, by: { "\($0.0) \($0.1.prefix(80))" }).mapValues(\.count))")
                }
            }
        }
    }

    /// `GET /events` holds an event stream open until `gate` opens; `GET /ping` answers at once.
    static func streamsAndPing(gate: Gate) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/events") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"],
                     body: ResponseBody { writer in
                         try await writer.write(ByteBuffer(string: "data: open\n\n"))
                         await gate.wait()
                         try await writer.finish(nil)
                     })
        }
        router.get("/ping") { _, _ in "pong" }
        return router
    }

    @Test func sixteenOpenEventStreamsLeaveShortRequestsTheirConnections() async throws {
        let gate = Gate()
        defer { gate.open() }
        try await withHTTPServer(Self.streamsAndPing(gate: gate)) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort], configure: Self.noRateLimit) { gateway in
                try await Self.withClient { client in
                    // 16 streams, each open (its first event read) and held by the upstream; each reports once
                    // whether it opened.
                    let opened = AsyncStream<Bool>.makeStream()
                    try await withThrowingTaskGroup(of: Void.self) { streams in
                        for _ in 0..<16 {
                            streams.addTask {
                                var request = HTTPClientRequest(url: gateway.baseURL + "/api/bexy/events")
                                request.headers.add(name: "Authorization", value: "Bearer \(Gateway.adminToken)")
                                request.headers.add(name: "Accept", value: "text/event-stream")
                                let response = try await client.execute(request, timeout: .seconds(60))
                                var signalled = false
                                for try await chunk in response.body where !signalled {
                                    if String(buffer: chunk).contains("data: open") {
                                        signalled = true
                                        opened.continuation.yield(true)
                                    }
                                }
                                if !signalled { opened.continuation.yield(false) }
                            }
                        }
                        var reports: [Bool] = []
                        for await report in opened.stream {
                            reports.append(report)
                            if reports.count == 16 { break }
                        }
                        #expect(reports.allSatisfy { $0 }, "streams that did not open: \(reports.filter { !$0 }.count)")
                        // With the streams holding their connections, 32 short requests still go through.
                        let replies = try await withThrowingTaskGroup(of: (Int, String, String?).self) { group in
                            for _ in 0..<32 { group.addTask { try await Self.get(client, gateway.baseURL + "/api/bexy/ping") } }
                            return try await group.reduce(into: []) { $0.append($1) }
                        }
                        #expect(replies.allSatisfy { $0.0 == 200 && $0.1 == "pong" },
                                "\(replies.filter { $0.0 != 200 }.prefix(3))")
                        gate.open()
                        try await streams.waitForAll()
                    }
                }
            }
        }
    }

    @Test func aFullPoolIsServiceUnavailableWithRetryAfter() async throws {
        let gate = Gate()
        defer { gate.open() }
        let entered = Flag()
        let router = Router()
        router.get("/hold") { _, _ -> String in
            entered.set()
            await gate.wait()
            return "released"
        }
        try await withHTTPServer(router) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort], configure: {
                $0.connectionLimits = UpstreamConnectionLimits(requests: 1, streams: 1)
                $0.connectTimeout = .milliseconds(500)
            }) { gateway in
                try await Self.withClient { client in
                    // The pool's one connection is held by a request the upstream answers only after the test.
                    let held = Task { try await Self.get(client, gateway.baseURL + "/api/bexy/hold") }
                    while !entered.isSet { try await Task.sleep(for: .milliseconds(10)) }
                    let busy = try await gateway.send(.GET, "/api/bexy/hold", token: Gateway.adminToken)
                    expectEnvelope(busy, status: 503, code: "upstream_busy")
                    #expect(busy.header("Retry-After") == "1")
                    gate.open()
                    #expect(try await held.value.1 == "released")
                }
            }
        }
    }
}
