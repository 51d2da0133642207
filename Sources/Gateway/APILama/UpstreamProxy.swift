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
    /// The service's instances when it has several (`<SERVICE>_URL` lists them or names them by DNS).
    var balancer: InstanceBalancer? = nil

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

    /// Sends `request` to the service as the authenticated caller and returns its streamed answer; to the best
    /// instance when the service has several (`balancer`).
    func forward(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        if let balancer { return try await forwardBalanced(request, context: context, balancer: balancer) }
        var outgoing = try prepare(request, context: context)
        if let body = try await body(of: request) { outgoing.body = body }
        switch await send(outgoing, to: upstream, request: request, context: context) {
        case .answered(let response):
            return Self.response(response)
        case .refused(let error, let busy):
            if busy { return try error.response(from: request, context: context, headers: [.retryAfter: "1"]) }
            throw error
        case .failed(let error):
            throw error
        }
    }

    /// What became of one call to an instance.
    enum Outcome {
        /// The service answered (any status).
        case answered(HTTPClientResponse)
        /// Nothing reached the service: the connection was refused or never made, or (`busy`) every connection of
        /// the gateway's pool stayed busy. Safe to try elsewhere.
        case refused(ServiceError, busy: Bool)
        /// The request may have reached the service (no answer in time, a broken answer): never tried again.
        case failed(ServiceError)
    }

    /// The request to send up, without its URL's base (`url` is the path after the prefix and the query) or body.
    func prepare(_ request: Request, context: GatewayRequestContext) throws -> HTTPClientRequest {
        let requestID = RequestIdentifier.of(request, context: context)
        var outgoing = HTTPClientRequest(url: try relativeTarget(of: request))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        if upstream.isPage {
            outgoing.headers = ForwardedHeaders.page(request.headers, requestID: requestID)
        } else {
            guard let caller = context.caller else { throw ServiceError.internalError("proxied request without a caller") }
            outgoing.headers = ForwardedHeaders.upstream(
                request.headers, internalToken: internalToken, requester: caller.name, requestID: requestID,
                prefix: upstream.prefix)
        }
        return outgoing
    }

    /// Sends `prepared` to `instance` (its URL is the instance's base plus `prepared.url`).
    func send(_ prepared: HTTPClientRequest, to instance: Upstream, request: Request,
              context: GatewayRequestContext) async -> Outcome {
        var outgoing = prepared
        outgoing.url = instance.baseURL + prepared.url
        do {
            return .answered(try await client.client(for: request)
                .execute(outgoing, timeout: TimeAmount(timeout), logger: context.logger))
        } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
            // Our own pool is full (the service itself said nothing): busy, not broken.
            return .refused(.upstreamBusy(instance), busy: true)
        } catch {
            let mapped = UpstreamFailure.serviceError(for: error, upstream: instance, timeout: timeout)
            return mapped.code == "service_unavailable" ? .refused(mapped, busy: false) : .failed(mapped)
        }
    }

    /// The client's response for the service's `response`, streamed.
    static func response(_ response: HTTPClientResponse) -> Response {
        Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: ForwardedHeaders.downstream(response.headers),
            body: ResponseBody(asyncSequence: response.body))
    }

    /// Request bodies up to this size are buffered (retryable); larger ones are streamed.
    static let bufferedBodyBytes = 64 * 1024

    /// The service URL after its base: the path after the prefix (normalized by `GatewayPath`) and the query. A
    /// page's path is kept whole, its trailing slash included (`/web/` is the page, `/web` a redirect to it).
    private func relativeTarget(of request: Request) throws -> String {
        let segments = try GatewayPath.segments(of: request.uri.path)
        var rest = segments.dropFirst(upstream.isPage ? 0 : 2).joined(separator: "/")
        if upstream.isPage, request.uri.path.hasSuffix("/") { rest += "/" }
        var url = "/" + rest
        if let query = request.uri.query, !query.isEmpty { url += "?" + query }
        return url
    }

    /// The body to send up: none for an empty one; 413 at once when `Content-Length` is over the limit.
    ///
    /// A body of at most `bufferedBodyBytes` is read first and sent as bytes, so the client can retry it on a
    /// fresh connection; a larger one is streamed (and cannot be retried). Without `Content-Length`, GET and
    /// HEAD are taken to have no body and other methods to have a chunked one.
    func body(of request: Request) async throws -> HTTPClientRequest.Body? {
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
