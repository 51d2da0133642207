import Hummingbird

/// Which requests need no token, and which role every other request needs (see `Role`).
public enum AccessPolicy {
    /// Whether `method path` is open to everyone: health, the OpenAPI document, login, the sign-in page, `/favicon.ico` and
    /// WebLama's static files (`GET`/`HEAD` under `/web`; the page asks `GET /api/session` who is signed in).
    public static func isOpen(_ method: HTTPRequest.Method, segments: [Substring]) -> Bool {
        if method == .get || method == .head, segments.first == "web" { return true }
        return switch (method, segments) {
        case (.get, ["health"]), (.get, ["api", "health"]), (.get, ["api", "openapi.json"]), (.post, ["api", "session"]),
             (.get, []), (.get, ["favicon.ico"]), (.get, ["signin"]), (.get, ["signin", "signin.js"]), (.get, ["signin", "signin.css"]):
            true
        default:
            false
        }
    }

    /// The least role allowed to make the request.
    public static func requiredRole(_ method: HTTPRequest.Method, segments: [Substring]) -> Role {
        if segments.starts(with: ["api", "tokens"]) { return .admin }
        if method == .post, segments == ["api", "loglama", "api", "logs", "clear"] { return .admin }
        if method == .post, segments == ["api", "loglama", "api", "audit"] { return .admin }
        if segments == ["api", "session"] { return .viewer }  // anyone signed in may sign out
        return method == .get || method == .head ? .viewer : .user
    }
}
