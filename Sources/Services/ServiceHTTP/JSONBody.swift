import Contracts
import FoundationEssentials
import Hummingbird

/// Reads request bodies under the size limit and decodes them, turning every decoding failure into a 400 that names
/// the field (`logs[3].level`, `records[0].status`) or says the JSON is malformed.
public enum JSONBody {
    /// The whole body, refused with 413 when it is (or claims to be) larger than `limit` bytes.
    public static func read(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw ServiceError.payloadTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServiceError.payloadTooLarge(limit: limit)
        }
    }

    /// Parses `buffer` as any JSON value; malformed JSON is a 400 `invalid_json` giving the byte offset.
    public static func parse(_ buffer: ByteBuffer) throws -> JSONValue {
        do {
            return try buffer.withUnsafeReadableBytes { bytes in try JSONParser.parse(bytes) }
        } catch let failure as JSONParser.Failure {
            throw ServiceError.invalidJSON(failure.description)
        }
    }

    /// Decodes `type` from `buffer`; `root` names a top-level array in field paths (`root[2].field`).
    public static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, root: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let error as ServiceError {
            throw error
        } catch let error as DecodingError {
            throw translate(error, root: root)
        }
    }

    /// The service error for a `DecodingError` thrown by `JSONDecoder` or a `Decodable` initializer.
    public static func translate(_ error: DecodingError, root: String) -> ServiceError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            return .invalidJSON(detail)
        case .dataCorrupted(let context):
            return .invalidField(path(context.codingPath, root: root), "is invalid: \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            return .missingField(path(context.codingPath + [key], root: root))
        case .valueNotFound(_, let context):
            return .missingField(path(context.codingPath, root: root))
        case .typeMismatch(let expected, let context):
            return .invalidField(path(context.codingPath, root: root), "must be \(describe(expected))")
        @unknown default:
            return .invalidBody("the request body could not be decoded: \(error)")
        }
    }

    /// A coding path as people write it: `logs[3].context`; a path that starts with an index gets `root` first.
    public static func path(_ codingPath: [any CodingKey], root: String) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                if text.isEmpty { text = root }
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? root : text
    }

    private static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self || type == Int64.self || type == Int32.self || type == UInt.self || type == UInt64.self {
            return "an integer"
        }
        if type == Double.self || type == Float.self { return "a number" }
        if type == Bool.self { return "a boolean" }
        let name = "\(type)"
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "of type \(name)"
    }
}

/// A coding key from a string, for containers with open key sets.
public struct AnyCodingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) {
        stringValue = string
        intValue = nil
    }
    public init(stringValue: String) { self.init(stringValue) }
    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
