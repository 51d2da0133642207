import HTTPTypes
import Hummingbird
import NIOHTTP1

/// Which headers cross the gateway, each way.
///
/// Upstream: the client's headers without hop-by-hop ones (RFC 9110 §7.6.1, plus any named in `Connection`), its
/// credentials (`Authorization`, `Cookie`), and anything that claims an identity or origin the gateway vouches for
/// (`X-PyLama-Requester`, `X-Request-ID`, `Forwarded`, `X-Forwarded-*`); the gateway then adds the internal token,
/// the caller's name, the request id and `X-Forwarded-Prefix` (the route's prefix, e.g. `/api/bexy`, so that the
/// service's links work from where they were fetched). Downstream: the service's headers without hop-by-hop ones, cookies and
/// CORS headers (the gateway alone decides both for its origin).
enum ForwardedHeaders {
    /// The caller's identity, for the service: a token name.
    static let requester = "X-PyLama-Requester"

    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]
    private static let notForwardedUp: Set<String> = hopByHop.union([
        "host", "content-length", "authorization", "cookie", "x-pylama-requester", "x-request-id", "forwarded",
        "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix",
    ])
    private static let notForwardedDown: Set<String> = hopByHop.union(["set-cookie"])

    /// The headers sent to the service.
    static func upstream(_ fields: HTTPFields, internalToken: String, requester name: String,
                         requestID: String, prefix: String) -> HTTPHeaders {
        var headers = forwardable(fields)
        headers.add(name: "Authorization", value: "Bearer \(internalToken)")
        headers.add(name: requester, value: name)
        headers.add(name: "X-Request-ID", value: requestID)
        headers.add(name: "X-Forwarded-Prefix", value: prefix)
        return headers
    }

    /// The headers sent for a page's static file: the client's, less credentials and claimed identities as above,
    /// plus the request id; no internal token and no caller (the files are the same for everyone).
    static func page(_ fields: HTTPFields, requestID: String) -> HTTPHeaders {
        var headers = forwardable(fields)
        headers.add(name: "X-Request-ID", value: requestID)
        return headers
    }

    /// The client's headers that may go up as they are.
    private static func forwardable(_ fields: HTTPFields) -> HTTPHeaders {
        let dropped = notForwardedUp.union(connectionTokens(fields[values: .connection]))
        var headers = HTTPHeaders()
        for field in fields where !dropped.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    /// The headers passed back to the client.
    static func downstream(_ headers: HTTPHeaders) -> HTTPFields {
        let dropped = notForwardedDown.union(connectionTokens(headers["connection"]))
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !dropped.contains(lowered), !lowered.hasPrefix("access-control-"),
                  let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    /// The header names listed in `Connection` values, lower-cased.
    private static func connectionTokens(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",").map { $0.trimmed.lowercased() } })
    }
}
