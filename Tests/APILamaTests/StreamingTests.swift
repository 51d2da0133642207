import AsyncHTTPClient
import TestSupport
import Testing

/// Server-Sent Events pass through the gateway as the upstream writes them.
@Suite struct StreamingTests {
    @Test func theFirstEventArrivesBeforeTheUpstreamHasFinished() async throws {
        let gate = Gate()
        defer { gate.open() }
        let finished = Flag()
        try await withHTTPServer(TestUpstreams.slowEvents(gate: gate, finished: finished)) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let url = gateway.baseURL + "/api/bexy/events"
                let (beforeSecond, whole) = try await withDeadline {
                    var request = HTTPClientRequest(url: url)
                    request.headers.add(name: "Authorization", value: "Bearer \(Gateway.adminToken)")
                    request.headers.add(name: "Accept", value: "text/event-stream")
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    #expect(response.status.code == 200)
                    #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                    var received = ""
                    var seenBeforeSecond: String?
                    for try await chunk in response.body {
                        received += String(buffer: chunk)
                        if seenBeforeSecond == nil, received.contains("data: first") {
                            // The upstream is parked on the gate: nothing after `first` can have been written.
                            seenBeforeSecond = received
                            #expect(!finished.isSet)
                            gate.open()
                        }
                    }
                    return (seenBeforeSecond, received)
                }
                #expect(beforeSecond == "data: first\n\n")
                #expect(whole == "data: first\n\ndata: second\n\n")
            }
        }
    }
}
