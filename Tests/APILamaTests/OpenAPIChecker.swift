import Contracts
import ServiceHTTP

/// Checks real responses against the gateway's OpenAPI document: the status must be documented for the
/// operation, and the body must have every required key, the documented types, enums and constants, all the
/// way down (`$ref`s followed).
struct OpenAPIChecker {
    let document: JSONValue

    /// Every `METHOD path` the document describes.
    var operations: Set<String> {
        guard case .object(let paths) = document["paths"] ?? .null else { return [] }
        var result: Set<String> = []
        for (path, item) in paths {
            guard case .object(let methods) = item else { continue }
            for method in methods.keys { result.insert(method.uppercased() + " " + path) }
        }
        return result
    }

    /// What is wrong with answering `method path` (a path template of the document) with `status` and `body`.
    func problems(_ method: String, _ path: String, status: Int, body: JSONValue?) -> [String] {
        let label = "\(method) \(path) -> \(status)"
        guard let operation = document["paths"]?[path]?[method.lowercased()] else {
            return ["\(method) \(path) is not documented"]
        }
        guard let response = operation["responses"]?[String(status)].map(resolve) else {
            return ["\(label): status not documented"]
        }
        guard let schema = response["content"]?["application/json"]?["schema"] else { return [] }
        guard let body else { return ["\(label): the body is not JSON"] }
        return conform(body, to: schema, at: label + " $")
    }

    private func conform(_ value: JSONValue, to schema: JSONValue, at location: String) -> [String] {
        let schema = resolve(schema)
        var problems: [String] = []
        if let type = schema["type"]?.string, !Self.matches(value, type) {
            problems.append("\(location): expected \(type), got \(value.serialized.prefix(80))")
        }
        if let allowed = schema["enum"]?.array, !allowed.contains(value) {
            problems.append("\(location): \(value.serialized) is not one of \(JSONValue.array(allowed).serialized)")
        }
        if let constant = schema["const"], value != constant {
            problems.append("\(location): \(value.serialized) is not \(constant.serialized)")
        }
        if case .object(let members) = value {
            for key in schema["required"]?.array.compactMap(\.string) ?? [] where members[key] == nil {
                problems.append("\(location): required key `\(key)` is missing")
            }
            if case .object(let properties) = schema["properties"] ?? .null {
                for (key, property) in properties {
                    if let member = members[key] { problems += conform(member, to: property, at: location + "." + key) }
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                problems += conform(item, to: itemSchema, at: location + "[\(index)]")
            }
        }
        return problems
    }

    /// Follows a local `$ref` (`#/components/schemas/Error`).
    private func resolve(_ value: JSONValue) -> JSONValue {
        guard let reference = value["$ref"]?.string, reference.hasPrefix("#/") else { return value }
        var target = document
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = target[String(part)] else { return .null }
            target = next
        }
        return resolve(target)
    }

    private static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("integer", .integer), ("number", .integer), ("number", .double):
            true
        default:
            false
        }
    }
}
