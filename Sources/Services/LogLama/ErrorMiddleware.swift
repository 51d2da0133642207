import Hummingbird
import Logging

/// Turns every error into LogLama's JSON error body at the edge: router 404s and Hummingbird's own errors keep
/// their status, and anything unexpected becomes a logged 500 rather than an empty response.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as LogLamaError {
            if error.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Self.translate(error.status, request: request).response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try LogLamaError.internalError("internal error").response(from: request, context: context)
        }
    }

    /// The LogLama error for a status some other layer chose.
    static func translate(_ status: HTTPResponse.Status, request: Request) -> LogLamaError {
        switch status {
        case .notFound:
            .notFound("no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            LogLamaError(status: status, code: "payload_too_large", message: "the request body is too large")
        default:
            LogLamaError(status: status, code: status.reasonPhrase.lowercased().replacing(" ", with: "_"),
                         message: status.reasonPhrase)
        }
    }
}
