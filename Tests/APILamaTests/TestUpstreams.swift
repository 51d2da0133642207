import Foundation
import HTTPTypes
import Hummingbird
import ServiceHTTP
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What the recording upstream received, echoed back as JSON.
struct Echo: Encodable {
    var method: String
    var path: String
    var query: String?
    /// Header values by lower-case name, repeated headers joined with ", ".
    var headers: [String: String]
    var bodyBytes: Int

    enum CodingKeys: String, CodingKey {
        case method, path, query, headers
        case bodyBytes = "body_bytes"
    }
}

/// A latch: `wait()` returns once `open()` was called (before or after).
final class Gate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    func open() { continuation.finish() }

    func wait() async {
        for await _ in stream {}
    }
}

/// A boolean that starts false and is set once.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }

    var isSet: Bool { value.withLock { $0 } }
}

/// Small real upstreams for the gateway's edge cases.
enum TestUpstreams {
    /// Answers every request (`/` itself included) with an `Echo` of it; `GET /health` is healthy.
    static func recording() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in
            try JSONResponse.make(["status": "healthy", "service": "recorder", "version": "test"])
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            for path in ["/", "/**"] { router.on(RouterPath(path), method: method) { request, _ in
                let body = try await request.body.collect(upTo: 64 << 20)
                var headers: [String: String] = [:]
                for field in request.headers {
                    let name = field.name.canonicalName
                    headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
                }
                return try JSONResponse.make(Echo(method: request.method.rawValue, path: request.uri.path,
                                                  query: request.uri.query, headers: headers,
                                                  bodyBytes: body.readableBytes))
            } }
        }
        return router
    }

    /// `GET /events`: Server-Sent Events: writes `first`, waits for `gate`, writes `second`, ends, then sets
    /// `finished`.
    static func slowEvents(gate: Gate, finished: Flag) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/events") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                     body: ResponseBody { writer in
                         try await writer.write(ByteBuffer(string: "data: first\n\n"))
                         await gate.wait()
                         try await writer.write(ByteBuffer(string: "data: second\n\n"))
                         try await writer.finish(nil)
                         finished.set()
                     })
        }
        return router
    }

    /// `GET /never`: accepts the request and answers only once `gate` opens (after the test).
    static func silent(gate: Gate) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/never") { _, _ in
            await gate.wait()
            return "too late"
        }
        return router
    }

    /// On the listening socket `fd`, accepts one connection, reads the request and answers with bytes that are
    /// not HTTP, then hangs up. Gives up after 30 s without a connection.
    static func speakGarbageOnce(listeningOn fd: Int32) {
        Thread.detachNewThread {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 30_000) > 0 else { return }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 65536)
            _ = read(client, &buffer, buffer.count)
            let garbage = Array("SPEAKING NONSENSE, NOT HTTP\r\n\r\n".utf8)
            _ = write(client, garbage, garbage.count)
            Glibc.close(client)
        }
    }
}
