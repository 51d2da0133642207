@testable import APILama
import Hummingbird
import ServiceHTTP
import Testing

/// The request body the gateway streams up can be read once: a retry's second read fails instead of trapping.
@Suite struct LimitedRequestBodyTests {
    @Test func aSecondIteratorFailsInsteadOfReadingTheStreamAgain() async throws {
        let body = LimitedRequestBody(base: RequestBody(buffer: ByteBuffer(string: "payload")), limit: 100)
        var first = body.makeAsyncIterator()
        var second = body.makeAsyncIterator()
        #expect(try await first.next().map { String(buffer: $0) } == "payload")
        #expect(try await first.next() == nil)
        let error = await #expect(throws: ServiceError.self) { _ = try await second.next() }
        #expect(error?.status == .internalServerError)
    }

    @Test func moreThanTheLimitIs413() async throws {
        let body = LimitedRequestBody(base: RequestBody(buffer: ByteBuffer(string: String(repeating: "x", count: 10))),
                                      limit: 4)
        var iterator = body.makeAsyncIterator()
        let error = await #expect(throws: ServiceError.self) { _ = try await iterator.next() }
        #expect(error?.status == .contentTooLarge)
    }
}
