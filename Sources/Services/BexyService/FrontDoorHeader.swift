import Contracts
import HTTPTypes
import Hummingbird
import ServiceHTTP

/// Which front door a workspace command came through, from `X-PyLama-Front-Door` (SheLLama sends `shellama`), and
/// recorded as the audit record's `front_door`. Without the header a workspace command is SheLLama's.
enum FrontDoorHeader {
    static let header = HTTPField.Name("X-PyLama-Front-Door")!

    /// The front doors a caller may name (`cli` is `bexy exec`'s alone).
    static let allowed: [AuditRecord.FrontDoor] = [.http, .shellama]

    /// The front door `headers` name, `fallback` without the header.
    ///
    /// - Throws: a 400 naming the header unless it is one of `allowed`.
    static func of(_ headers: HTTPFields, fallback: AuditRecord.FrontDoor) throws -> AuditRecord.FrontDoor {
        guard let value = headers[header] else { return fallback }
        guard let door = AuditRecord.FrontDoor(rawValue: value), allowed.contains(door) else {
            throw ServiceError(status: .badRequest, code: "invalid_header",
                               message: "`X-PyLama-Front-Door` must be one of "
                                   + allowed.map(\.rawValue).joined(separator: ", "),
                               field: "X-PyLama-Front-Door")
        }
        return door
    }
}
