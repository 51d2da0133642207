import ServiceHTTP

/// The one reading of a request path that both the access policy and the proxy use, so a path cannot be
/// judged as one route and forwarded as another.
///
/// Empty segments are dropped (`//api` is `/api`); dot segments and percent-encoded `/`, `\` or `.` are refused
/// (400 `invalid_path`), since an upstream could resolve them to a route the policy never saw.
public enum GatewayPath {
    /// The path's segments, still percent-encoded as received.
    public static func segments(of path: String) throws(ServiceError) -> [Substring] {
        let segments = path.split(separator: "/")
        for segment in segments {
            if segment == "." || segment == ".." {
                throw invalid(path, "dot segments are not allowed")
            }
            let lowered = segment.lowercased()
            if lowered.contains("%2f") || lowered.contains("%5c") || lowered.contains("%2e") {
                throw invalid(path, "encoded '/', '\\' or '.' are not allowed")
            }
        }
        return segments
    }

    private static func invalid(_ path: String, _ reason: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "invalid_path", message: "the path \(path) is refused: \(reason)")
    }
}
