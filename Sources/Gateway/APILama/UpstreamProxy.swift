import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOHTTP1
import ServiceHTTP

/// Forwards requests under one `Upstream`'s prefix to its service, streaming both ways.
///
/// The request body goes up as it arrives (its size checked on the way, 413 past `maxBodyBytes`); the response
/// body comes back chunk by chunk as the service writes it, so Server-Sent Events pass through live. Nothing is
/// buffered whole. If the client goes away, the upstream call is cancelled with it.
struct UpstreamProxy: Sendable {
    let upstream: Upstream
    let client: UpstreamClient
    let internalToken: String
    /// How long the service may take to send its response head.
    let timeout: Duration
    let maxBodyBytes: Int

    /// The methods forwarded.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete]
    /// The methods forwarded to a page's static files.
    static let pageMethods: [HTTPRequest.Method] = [.get, .head]

    /// Registers `<prefix>/**` and the prefix itself for every forwarded method.
    ///
    /// `<prefix>/` goes to the service's `/` (LogLama's page at `/api/loglama/`). A browser's `GET <prefix>`
    /// without the slash is redirected (308) to `<prefix>/`, so that the page's relative links resolve under the
    /// prefix; other methods on `<prefix>` go to the service's `/` as they are.
    func register(on router: Router<GatewayRequestContext>) {
        for method in upstream.isPage ? Self.pageMethods : Self.methods {
            router.on(RouterPath(upstream.prefix + "/**"), method: method) { request, context in
                try await forward(request, context: context)
            }
            router.on(RouterPath(upstream.prefix), method: method) { request, context in
                if !request.uri.path.hasSuffix("/"), request.method == .get || request.method == .head {
                    var location = request.uri.path + "/"
                    if let query = request.uri.query, !query.isEmpty { location += "?" + query }
                    return Response(status: .permanentRedirect, headers: [.location: location])
                }
                return try await forward(request, context: context)
            }
        }
    }

    /// Sends `request` to the service as the authenticated caller and returns its streamed answer.
    func forward(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let requestID = RequestIdentifier.of(request, context: context)
        var outgoing = HTTPClientRequest(url: try targetURL(of: request))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        if upstream.isPage {
            outgoing.headers = ForwardedHeaders.page(request.headers, requestID: requestID)
        } else {
            guard let caller = context.caller else { throw ServiceError.internalError("proxied request without a caller") }
            outgoing.headers = ForwardedHeaders.upstream(
                request.headers, internalToken: internalToken, requester: caller.name, requestID: requestID,
                prefix: upstream.prefix)
        }
        if let body = try await body(of: request) { outgoing.body = body }

        let response: HTTPClientResponse
        do {
            response = try await client.client(for: request)
                .execute(outgoing, timeout: TimeAmount(timeout), logger: context.logger)
        } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
            // Our own pool is full (the service itself said nothing): busy, not broken.
            return try ServiceError.upstreamBusy(upstream)
                .response(from: request, context: context, headers: [.retryAfter: "1"])
        } catch {
            throw UpstreamFailure.serviceError(for: error, upstream: upstream, timeout: timeout)
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: ForwardedHeaders.downstream(response.headers),
            body: ResponseBody(asyncSequence: response.body))
    }

    /// Request bodies up to this size are buffered (retryable); larger ones are streamed.
    static let bufferedBodyBytes = 64 * 1024

    /// The service URL: its base, the path after the prefix (normalized by `GatewayPath`), and the query. A page's
    /// path is kept whole, its trailing slash included (`/web/` is the page, `/web` a redirect to it).
    private func targetURL(of request: Request) throws -> String {
        let segments = try GatewayPath.segments(of: request.uri.path)
        var rest = segments.dropFirst(upstream.isPage ? 0 : 2).joined(separator: "/")
        if upstream.isPage, request.uri.path.hasSuffix("/") { rest += "/" }
        var url = upstream.baseURL + "/" + rest
        if let query = request.uri.query, !query.isEmpty { url += "?" + query }
        return url
    }

    /// The body to send up: none for an empty one; 413 at once when `Content-Length` is over the limit.
    ///
    /// A body of at most `bufferedBodyBytes` is read first and sent as bytes, so the client can retry it on a
    /// fresh connection; a larger one is streamed (and cannot be retried). Without `Content-Length`, GET and
    /// HEAD are taken to have no body and other methods to have a chunked one.
    private func body(of request: Request) async throws -> HTTPClientRequest.Body? {
        let limited = LimitedRequestBody(base: request.body, limit: maxBodyBytes)
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }) {
            if declared > maxBodyBytes { throw ServiceError.payloadTooLarge(limit: maxBodyBytes) }
            if declared == 0 { return nil }
            if declared <= Self.bufferedBodyBytes {
                var bytes = ByteBuffer()
                for try await chunk in limited { bytes.writeImmutableBuffer(chunk) }
                return .bytes(bytes)
            }
            return .stream(limited, length: .known(Int64(declared)))
        }
        return request.method == .get || request.method == .head ? nil : .stream(limited, length: .unknown)
    }
}
