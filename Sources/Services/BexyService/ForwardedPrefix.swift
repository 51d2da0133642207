import HTTPTypes
import Hummingbird
import ServiceHTTP

/// The path prefix under which the client reached this service, from `X-Forwarded-Prefix` (the gateway sends
/// `/api/bexy`, replacing any value its client sent): the jobs API builds `links` and `Location` with it, so they
/// work from where they were fetched. Without the header the prefix is empty (the client talks to BEXY directly).
enum ForwardedPrefix {
    static let header = HTTPField.Name("X-Forwarded-Prefix")!

    /// The prefix `headers` name: empty, or `/segment[/segment...]` without a trailing slash.
    ///
    /// - Throws: a 400 naming the header unless it is one such path of at most 256 unreserved URL characters.
    static func of(_ headers: HTTPFields) throws -> String {
        let values = headers[values: header]
        guard let value = values.first else { return "" }
        let segments = value.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let unreserved = { (byte: UInt8) in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == 0x2d || byte == 0x2e || byte == 0x5f || byte == 0x7e
        }
        guard values.count == 1, value.hasPrefix("/"), value.utf8.count <= 256,
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.utf8.allSatisfy(unreserved) })
        else {
            throw ServiceError(status: .badRequest, code: "invalid_header",
                               message: "`X-Forwarded-Prefix` must be one path like /api/bexy (at most 256 "
                                   + "letters, digits and -._~ between single slashes, no trailing slash)",
                               field: "X-Forwarded-Prefix")
        }
        return value
    }
}
