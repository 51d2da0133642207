import Hummingbird

/// The browser session cookie: its name, the `Set-Cookie` lines that open and clear it, and reading it back.
///
/// Always `HttpOnly` (no script can read it), `SameSite=Strict` (no cross-site request carries it) and `Path=/`;
/// `Secure` when `APILAMA_SECURE_COOKIES` is set.
public enum SessionCookie {
    /// The cookie's name.
    public static let name = "apilama_session"

    /// `Set-Cookie` for a session lasting `lifetime`.
    static func set(_ value: String, lifetime: Duration, secure: Bool) -> String {
        attributes("\(name)=\(value)", maxAge: lifetime.components.seconds, secure: secure)
    }

    /// `Set-Cookie` that makes the browser drop the cookie.
    static func clear(secure: Bool) -> String {
        attributes("\(name)=", maxAge: 0, secure: secure)
    }

    /// The session cookie's value in the request's `Cookie` headers, if any.
    static func value(in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if trimmed.hasPrefix(name + "=") { return String(trimmed.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    private static func attributes(_ pair: String, maxAge: Int64, secure: Bool) -> String {
        pair + "; Max-Age=\(maxAge); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
