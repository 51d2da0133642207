import Hummingbird
import ServiceHTTP
import ServiceKit

/// A request's query string, decoded as HTML forms do (`+` is a space, `%XX` a byte), with typed readers that throw
/// a 400 naming the parameter.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    init(query: String) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.formDecode(parts[0])
            let value = parts.count > 1 ? Self.formDecode(parts[1]) : ""
            if values[name] == nil { values[name] = value }  // the first occurrence wins
        }
    }

    /// The value of `name`, or `nil` when absent or empty (an empty filter means "no filter").
    func string(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// An integer parameter within `range`; `nil` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ServiceError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw .invalidParameter(name, "must be an integer, got \"\(text)\"") }
        guard range.contains(value) else {
            throw .invalidParameter(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A parameter that must be one of `choices`; `nil` when absent.
    func choice(_ name: String, among choices: [String]) throws(ServiceError) -> String? {
        guard let text = string(name) else { return nil }
        let lowered = text.lowercased()
        guard choices.contains(lowered) else {
            throw .invalidParameter(name, "must be one of \(choices.joined(separator: ", ")), got \"\(text)\"")
        }
        return lowered
    }

    /// A timestamp parameter (ISO 8601 date or date-time); `nil` when absent.
    func timestamp(_ name: String) throws(ServiceError) -> UTCTimestamp.Parsed? {
        try LogFilter.timestamp(name, string)
    }

    /// The page number and page size: `page` from 1 (default 1), `page_size` from 1, default 100, capped at 1000.
    func pagination() throws(ServiceError) -> Pagination {
        let page = try integer("page", in: 1...Int(Int32.max)) ?? 1
        let size = try integer("page_size", in: 1...Int.max) ?? Pagination.defaultSize
        return Pagination(page: page, pageSize: min(size, Pagination.maximumSize))
    }

    /// Decodes `application/x-www-form-urlencoded` text; a malformed escape is kept literally.
    static func formDecode(_ text: Substring) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2, let high = hexValue(iterator[iterator.startIndex]),
                   let low = hexValue(iterator[iterator.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    iterator.removeFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Which page of a result to return.
struct Pagination: Equatable {
    static let defaultSize = 100
    static let maximumSize = 1000

    var page: Int
    var pageSize: Int

    var offset: Int { (page - 1) * pageSize }

    /// The number of pages for `total` rows: at least 1, so an empty result still has page 1 of 1.
    func pages(total: Int) -> Int {
        max(1, (total + pageSize - 1) / pageSize)
    }
}
