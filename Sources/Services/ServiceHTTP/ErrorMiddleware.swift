import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error into the JSON error envelope at the edge: router 404s and Hummingbird's own errors keep
/// their status, a request that is not valid HTTP (a malformed chunk size met while reading the body) is the
/// client's 400 `invalid_request`, and anything unexpected becomes a logged 500 rather than an empty response.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return try Self.answer(error, to: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Self.answer(Self.translate(error.status, request: request), to: request, context: context)
        } catch let error as HTTPParserError {
            return try Self.answer(ServiceError(status: .badRequest, code: "invalid_request",
                                                message: "the request is not valid HTTP: \(error)"),
                                   to: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: Self.metadata(request, context: context, error: "\(error)"))
            return try ServiceError.internalError("internal error").response(from: request, context: context)
        }
    }

    /// The envelope for `error`, logged first with the request id (so it can be found in LogLama): a service's
    /// failure at `error`, a caller's mistake at `notice`.
    private static func answer(_ error: ServiceError, to request: Request, context: Context) throws -> Response {
        var metadata = metadata(request, context: context, error: error.message)
        metadata["status"] = "\(error.status.code)"
        metadata["code"] = "\(error.code)"
        if let field = error.field { metadata["field"] = "\(field)" }
        context.logger.log(level: error.status.code >= 500 ? .error : .notice, "request failed", metadata: metadata)
        return try error.response(from: request, context: context)
    }

    private static func metadata(_ request: Request, context: Context, error: String) -> Logger.Metadata {
        ["request_id": "\(RequestIdentifier.of(request, context: context))", "method": "\(request.method)",
         "path": "\(request.uri.path)", "error": "\(error)"]
    }

    /// The service error for a status some other layer chose.
    public static func translate(_ status: HTTPResponse.Status, request: Request) -> ServiceError {
        switch status {
        case .notFound:
            .notFound("no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            ServiceError(status: status, code: "payload_too_large", message: "the request body is too large")
        default:
            ServiceError(status: status, code: status.reasonPhrase.lowercased().replacing(" ", with: "_"),
                         message: status.reasonPhrase)
        }
    }
}
