/// Why a token operation was refused: each case names the token and says how to fix the call.
public enum TokenStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is not 1-64 characters of letters, digits, `.`, `_` and `-` starting with a letter or digit.
    case invalidName(String)
    /// An active token already has this name.
    case nameTaken(String)
    /// `default` belongs to `PYLAMA_API_TOKEN`, registered by the gateway at start.
    case reservedName(String)
    /// No token has this name.
    case unknownName(String)

    /// What was refused and how to fix it, in one line.
    public var description: String {
        switch self {
        case .invalidName(let name):
            "'\(name)' is not a valid token name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        case .nameTaken(let name):
            "a token named '\(name)' already exists: revoke it first or choose another name"
        case .reservedName(let name):
            "'\(name)' is reserved for PYLAMA_API_TOKEN from the central .env: choose another name"
        case .unknownName(let name):
            "no token is named '\(name)': `apilama token list` shows them"
        }
    }
}
