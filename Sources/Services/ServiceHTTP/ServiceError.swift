import Contracts
import FoundationEssentials
import Hummingbird

/// The ecosystem's one error type (every service and the gateway): a stable code, a message for people, and the
/// HTTP status it maps to at the edge.
///
/// Rendered as Contracts' `ErrorEnvelope`: `{"status":"error","error":{"code","message","field"?},"request_id"}`.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (4xx for the caller's mistakes, 5xx for the service's).
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `missing_field`, `invalid_json`, `not_found`.
    public var code: String
    /// What went wrong, for people.
    public var message: String
    /// The input field or query parameter at fault, if one is.
    public var field: String?

    /// An error with every part given.
    public init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }

    /// The body is not valid JSON.
    public static func invalidJSON(_ detail: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_json", message: "the request body is not valid JSON: \(detail)")
    }

    /// A required field is absent or null.
    public static func missingField(_ field: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "missing_field", message: "`\(field)` is required", field: field)
    }

    /// A field is present but has the wrong type or value.
    public static func invalidField(_ field: String, _ problem: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_field", message: "`\(field)` \(problem)", field: field)
    }

    /// A query parameter has a value the service cannot use.
    public static func invalidParameter(_ name: String, _ problem: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_parameter", message: "query parameter `\(name)` \(problem)",
                     field: name)
    }

    /// The body's overall shape is wrong (e.g. a number where a record or a batch is expected).
    public static func invalidBody(_ problem: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_body", message: problem)
    }

    /// Nothing with that id or path.
    public static func notFound(_ what: String) -> ServiceError {
        ServiceError(status: .notFound, code: "not_found", message: what)
    }

    /// The body is larger than `maxBodyBytes`.
    public static func payloadTooLarge(limit: Int) -> ServiceError {
        ServiceError(status: .contentTooLarge, code: "payload_too_large",
                     message: "the request body is larger than the limit of \(limit) bytes")
    }

    /// A failure on the service's side, never caused by client input.
    public static func internalError(_ detail: String) -> ServiceError {
        ServiceError(status: .internalServerError, code: "internal_error", message: detail)
    }
}

extension ServiceError: HTTPResponseError {
    /// The JSON error body, carrying the request id so a client can quote it.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ErrorEnvelope(error: .init(code: code, message: message, field: field),
                                 requestID: RequestIdentifier.of(request, context: context))
        return try JSONResponse.make(body, status: status)
    }
}

