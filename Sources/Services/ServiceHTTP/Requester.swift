import HTTPTypes
import Hummingbird

/// Who asked for an execution over HTTP: the identity the gateway authenticated, passed in
/// `X-PyLama-Requester`, and recorded in the audit trail. Without the header the caller is `internal`
/// (another service holding the internal token).
public enum Requester {
    public static let header = HTTPField.Name("X-PyLama-Requester")!

    /// The requester of a call that does not name one.
    public static let internalCaller = "internal"

    /// The requester named by `headers`.
    ///
    /// - Throws: a 400 naming the header unless it is 1 to 128 printable ASCII characters.
    public static func of(_ headers: HTTPFields) throws -> String {
        guard let value = headers[header] else { return internalCaller }
        guard !value.isEmpty, value.utf8.count <= 128, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw ServiceError(status: .badRequest, code: "invalid_header",
                               message: "`X-PyLama-Requester` must be 1 to 128 printable ASCII characters",
                               field: "X-PyLama-Requester")
        }
        return value
    }
}
