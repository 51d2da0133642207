import Hummingbird
import NIOHTTP1
import ServiceHTTP
import Synchronization

/// A request body passed through chunk by chunk that fails with 413 once more than `limit` bytes have gone by:
/// the limit holds for chunked bodies too, without buffering them. A body the client framed wrongly (a malformed
/// chunk size) fails with 400 `invalid_request`: the client's mistake, not the upstream's (never a 502).
///
/// It can be read once: a streamed body cannot be replayed. A second iterator (AsyncHTTPClient makes one when it
/// retries a request whose pooled connection turned out closed) fails at once instead of reading the server's
/// inbound stream again, which NIO treats as a programming error and traps on.
struct LimitedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let limit: Int
    private let taken = Taken()

    /// Whether an iterator was made (shared by the copies of this body).
    private final class Taken: Sendable {
        let value = Mutex(false)
    }

    init(base: RequestBody, limit: Int) {
        self.base = base
        self.limit = limit
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator?
        let limit: Int
        var count = 0

        mutating func next() async throws -> ByteBuffer? {
            guard var iterator = base else {
                throw ServiceError.internalError("the request body was already streamed upstream and cannot be sent again")
            }
            defer { base = iterator }
            let chunk: ByteBuffer?
            do {
                chunk = try await iterator.next()
            } catch let error as HTTPParserError {
                throw ServiceError(status: .badRequest, code: "invalid_request",
                                   message: "the request is not valid HTTP: \(error)")
            }
            guard let buffer = chunk else { return nil }
            count += buffer.readableBytes
            if count > limit { throw ServiceError.payloadTooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        let first = taken.value.withLock { taken in
            defer { taken = true }
            return !taken
        }
        return AsyncIterator(base: first ? base.makeAsyncIterator() : nil, limit: limit)
    }
}
