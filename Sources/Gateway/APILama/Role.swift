/// What a token may do. Roles are ordered: each includes everything the ones below it may do.
///
/// - `viewer`: read only: `GET` and `HEAD` on every proxied service (logs, audit trail, job results, profiles).
/// - `user`: everything a viewer may do, plus state-changing calls to the services: run code
///   (`POST /api/bexy/execute`, jobs), write files, send logs.
/// - `admin`: everything, including managing tokens (`/api/tokens`), clearing logs
///   (`POST /api/loglama/api/logs/clear`) and writing audit records (`POST /api/loglama/api/audit`).
///
/// `AccessPolicy` decides which role each request needs.
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    case viewer
    case user
    case admin

    /// The role's rank: viewer < user < admin.
    private var rank: Int {
        switch self {
        case .viewer: 0
        case .user: 1
        case .admin: 2
        }
    }

    /// Orders roles by what they may do.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may do what `required` may.
    public func satisfies(_ required: Role) -> Bool { self >= required }
}
