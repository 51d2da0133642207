import Hummingbird

/// Which browser origins may use the session cookie to change state, and sign in: the CORS allowlist
/// (`APILAMA_CORS_ORIGINS`, e.g. WebLama's), and the gateway's own origin, so its sign-in page works.
///
/// The gateway's own origin is the request's `Host` with `http` or `https` (TLS may end in front of the gateway).
/// A page on another site sends its own origin, which matches neither. A rebound DNS name that points at the
/// gateway would match its own `Host`, but the session cookie belongs to the gateway's real host name, so the
/// browser never sends it there, and signing in still needs a token.
struct OriginPolicy: Sendable {
    /// The allowlist.
    let allowedOrigins: Set<String>

    /// Whether `origin` may act for the signed-in user in `request`.
    func allows(_ origin: String, in request: Request) -> Bool {
        allowedOrigins.contains(origin) || Self.isSameOrigin(origin, host: request.head.authority)
    }

    /// Whether `origin` is `http://HOST` or `https://HOST` for the request's `Host` header.
    static func isSameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host, !host.isEmpty else { return false }
        let lowered = origin.lowercased(), lowHost = host.lowercased()
        return lowered == "http://" + lowHost || lowered == "https://" + lowHost
    }
}
