import HTTPTypes
import Hummingbird

/// The id that ties a request to its error body and its response: the caller's `X-Request-ID` when it sent a sane
/// one, else the id Hummingbird gave the request.
public enum RequestIdentifier {
    public static let header = HTTPField.Name("X-Request-ID")!

    /// The request's id.
    public static func of(_ request: Request, context: some RequestContext) -> String {
        if let supplied = request.headers[header], isAcceptable(supplied) {
            return supplied
        }
        return context.id
    }

    /// At most 128 visible ASCII characters: safe to echo in a header and a log line.
    public static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }
}

/// Sets `X-Request-ID` on every response, errors included, so logs on both sides can be joined.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestIdentifier.of(request, context: context)
        var response = try await next(request, context)
        response.headers[RequestIdentifier.header] = id
        return response
    }
}
