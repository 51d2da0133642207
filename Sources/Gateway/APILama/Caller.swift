/// Who is calling, once authenticated: the token's name (passed upstream as `X-PyLama-Requester`), its role,
/// and how the request proved it.
public struct Caller: Sendable, Equatable {
    /// How the caller authenticated.
    public enum Credential: Sendable, Equatable {
        /// `Authorization: Bearer <token>`.
        case bearer
        /// The session cookie; `selector` identifies the session row.
        case session(selector: String)
    }

    /// The token's name.
    public var name: String
    /// The token's role.
    public var role: Role
    /// The credential the request carried.
    public var credential: Credential

    /// A caller with every part given.
    public init(name: String, role: Role, credential: Credential) {
        self.name = name
        self.role = role
        self.credential = credential
    }
}
