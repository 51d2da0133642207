import Contracts
import Hummingbird
import ServiceHTTP
import ServiceKit

/// The named inputs of one request, from its query (GET, DELETE) or its JSON object body (POST), read with
/// one set of typed accessors whose errors name the field.
struct RequestFields: Sendable {
    private let values: [String: JSONValue]
    private let fromQuery: Bool

    /// The query parameters (each decoded once, as Hummingbird does).
    static func query(_ request: Request) -> RequestFields {
        var values: [String: JSONValue] = [:]
        for (key, value) in request.uri.queryParameters { values[String(key)] = .string(String(value)) }
        return RequestFields(values: values, fromQuery: true)
    }

    /// The JSON object body, read under `limit` bytes.
    static func body(_ request: Request, limit: Int) async throws -> RequestFields {
        let buffer = try await JSONBody.read(request, limit: limit)
        if buffer.readableBytes == 0 { return RequestFields(values: [:], fromQuery: false) }
        guard case .object(let members) = try JSONBody.parse(buffer) else {
            throw ServiceError.invalidBody("the request body must be a JSON object")
        }
        return RequestFields(values: members, fromQuery: false)
    }

    private func invalid(_ name: String, _ problem: String) -> ServiceError {
        fromQuery ? .invalidParameter(name, problem) : .invalidField(name, problem)
    }

    /// A required string.
    func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else {
            throw fromQuery ? ServiceError(status: .badRequest, code: "missing_parameter",
                                           message: "query parameter `\(name)` is required", field: name)
                : .missingField(name)
        }
        return value
    }

    /// A string, nil when absent (an explicit `null` is refused naming the field, as BEXY does).
    func optionalString(_ name: String) throws -> String? {
        switch values[name] {
        case nil: return nil
        case .string(let text)?: return text
        default: throw invalid(name, "must be a string")
        }
    }

    /// A boolean (`true`/`false`, also as query text), `fallback` when absent.
    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        switch values[name] {
        case nil: return fallback
        case .bool(let value)?: return value
        case .string("true")? where fromQuery: return true
        case .string("false")? where fromQuery: return false
        default: throw invalid(name, "must be true or false")
        }
    }

    /// A number in (0, `maximum`], nil when absent.
    func positiveNumber(_ name: String, maximum: Double) throws -> Double? {
        let number: Double
        switch values[name] {
        case nil: return nil
        case .integer(let value)?: number = Double(value)
        case .double(let value)?: number = value
        case .string(let text)? where fromQuery: number = Double(text) ?? -1
        default: throw invalid(name, "must be a number")
        }
        guard number > 0, number <= maximum else { throw invalid(name, "must be a number above 0 and at most \(Int(maximum))") }
        return number
    }

    /// A whole number in 1...`maximum`, nil when absent.
    func positiveInteger(_ name: String, maximum: Int) throws -> Int? {
        switch values[name] {
        case nil: return nil
        case .integer(let value)? where (1...Int64(maximum)).contains(value): return Int(value)
        case .string(let text)? where fromQuery && (1...maximum).contains(Int(text) ?? 0): return Int(text)
        default: throw invalid(name, "must be a whole number from 1 to \(maximum)")
        }
    }

    /// An object of strings, nil when absent.
    func stringMap(_ name: String) throws -> [String: String]? {
        switch values[name] {
        case nil: return nil
        case .object(let members)?:
            var map: [String: String] = [:]
            for (key, value) in members {
                guard case .string(let text) = value else { throw invalid("\(name).\(key)", "must be a string") }
                map[key] = text
            }
            return map
        default: throw invalid(name, "must be an object of strings")
        }
    }

    /// An array of strings, nil when absent.
    func stringArray(_ name: String) throws -> [String]? {
        switch values[name] {
        case nil: return nil
        case .array(let items)?:
            return try items.enumerated().map { index, item in
                guard case .string(let text) = item else { throw invalid("\(name)[\(index)]", "must be a string") }
                return text
            }
        default: throw invalid(name, "must be an array of strings")
        }
    }

    /// `workspace`, `default` when absent.
    func workspace() throws -> String { try optionalString("workspace") ?? WorkspaceSettings.defaultWorkspace }

    /// The workspace path in field `name` (checked by `WorkspacePath`); `fallback` when absent, if given.
    func path(_ name: String, allowTop: Bool = false, fallback: String? = nil) throws -> WorkspacePath {
        let text = try fallback.map { try optionalString(name) ?? $0 } ?? string(name)
        do throws(WorkspaceError) {
            return try WorkspacePath(text, allowTop: allowTop)
        } catch {
            throw error.serviceError(field: name)
        }
    }
}
