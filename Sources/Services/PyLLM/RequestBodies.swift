import ServiceHTTP

/// `POST /generate` and `POST /query`.
struct GenerateBody: Decodable {
    var prompt: String
    var model: String?
    var maxTokens: Int?
    var temperature: Double?
    var stream: Bool?

    enum CodingKeys: String, CodingKey {
        case prompt, model, temperature, stream
        case maxTokens = "max_tokens"
    }
}

/// `POST /code`.
struct CodeBody: Decodable {
    var prompt: String
    var template: CodeTemplate?
    var dependencies: [String]?
    var model: String?
}

/// `POST /fix-code`.
struct FixCodeBody: Decodable {
    var code: String
    var errorMessage: String
    var isLogicError: Bool?
    var attempt: Int?
    var model: String?

    enum CodingKeys: String, CodingKey {
        case code, attempt, model
        case errorMessage = "error_message"
        case isLogicError = "is_logic_error"
    }
}

/// `POST /explain`.
struct ExplainBody: Decodable {
    var code: String
    var model: String?
}

/// `POST /alternatives`.
struct AlternativesBody: Decodable {
    var code: String
    var n: Int?
    var model: String?
}

/// `POST /fix-and-run`.
struct FixAndRunBody: Decodable {
    var code: String
    var stdin: String?
    var maxAttempts: Int?
    var profile: String?
    var model: String?

    enum CodingKeys: String, CodingKey {
        case code, stdin, profile, model
        case maxAttempts = "max_attempts"
    }
}

/// The checks every body's values get beyond their types, each refusal naming the field.
enum BodyCheck {
    static func nonEmpty(_ value: String, _ field: String) throws {
        if value.trimmingWhitespace.isEmpty { throw ServiceError.invalidField(field, "must not be empty") }
    }

    static func range<T: Comparable>(_ value: T?, _ bounds: ClosedRange<T>, _ field: String) throws {
        if let value, !bounds.contains(value) {
            throw ServiceError.invalidField(field, "must be between \(bounds.lowerBound) and \(bounds.upperBound)")
        }
    }

    static func model(_ value: String?) throws {
        if let value, value.trimmingWhitespace.isEmpty || value.count > 200 {
            throw ServiceError.invalidField("model", "must be a model name (1-200 characters) or absent")
        }
    }
}
