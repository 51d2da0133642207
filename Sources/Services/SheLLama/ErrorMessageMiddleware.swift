import Contracts
import HTTPTypes
import Hummingbird
import ServiceHTTP

/// Adds the original SheLLama contract's top-level `message` to every JSON error body, beside the ecosystem's
/// envelope: `{"status":"error","message":"...","error":{"code","message","field"?},"request_id"}`, so clients
/// of the old API and of the new read the same answer.
struct ErrorMessageMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard response.status.code >= 400, response.headers[.contentType]?.hasPrefix("application/json") == true else {
            return response
        }
        let collected = CollectedBody()
        try await response.body.write(CollectingWriter(collected: collected))
        let buffer = collected.buffer
        guard case .object(var members) = try? JSONBody.parse(buffer), members["message"] == nil,
              let message = members["error"]?["message"] else {
            var unchanged = response
            unchanged.body = .init(byteBuffer: buffer)
            return unchanged
        }
        members["message"] = message
        var rewritten = try JSONResponse.make(JSONValue.object(members), status: response.status)
        for field in response.headers where field.name != .contentType && field.name != .contentLength {
            rewritten.headers.append(field)
        }
        return rewritten
    }
}

/// Where `CollectingWriter` puts a response body.
private final class CollectedBody {
    var buffer = ByteBuffer()
}

/// A response body writer that keeps what is written (an error body: small).
private struct CollectingWriter: ResponseBodyWriter {
    let collected: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        var part = buffer
        collected.buffer.writeBuffer(&part)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
