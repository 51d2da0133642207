/// The body of every error response in the ecosystem (each service and the gateway):
/// `{"status":"error","error":{"code":"...","message":"...","field":"..."},"request_id":"..."}`.
///
/// `field` is present only when one input field or query parameter is at fault (e.g. `logs[3].level`,
/// `page_size`); `request_id` is the request's `X-Request-ID`, so a client can quote it.
public struct ErrorEnvelope: Codable, Sendable, Equatable {
    /// What went wrong.
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable machine-readable code, e.g. `missing_field`, `invalid_json`, `not_found`.
        public var code: String
        /// What went wrong, for people.
        public var message: String
        /// The input field or query parameter at fault, if one is (the key is absent otherwise).
        public var field: String?

        public init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }

        enum CodingKeys: String, CodingKey { case code, message, field }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encodeIfPresent(field, forKey: .field)
        }
    }

    /// Always `"error"`.
    public var status: String
    public var error: Detail
    /// `request_id`: the request's id.
    public var requestID: String

    public init(error: Detail, requestID: String) {
        status = "error"
        self.error = error
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey {
        case status, error
        case requestID = "request_id"
    }
}
