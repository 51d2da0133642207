import TestSupport
import Testing

/// Requests that are not valid HTTP are the client's mistake: a 400 in the error envelope, never a 500.
@Suite struct MalformedRequestTests {
    @Test func aMalformedChunkSizeIsABadRequest() async throws {
        try await withLogLama { port in
            let request = "POST /api/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
            let answer = await rawHTTPExchange(port: port, Array(request.utf8))
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
            #expect(answer.contains(#""code":"invalid_request""#), "\(answer)")
        }
    }

    @Test func aThousandHeadersGetTheErrorEnvelope() async throws {
        try await withLogLama { port in
            let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (0..<1000).map { "X-H\($0): v\r\n" }.joined() + "\r\n"
            let answer = await rawHTTPExchange(port: port, Array(request.utf8))
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"invalid_request""#), "\(answer.prefix(400))")
        }
    }
}
