import AsyncHTTPClient
import Hummingbird
import NIOCore
import ServiceHTTP

/// Forwarding to a service with several instances (`InstanceBalancer`).
///
/// - New work (and any other request) goes to the best instance. A request refused before it started, by a
///   connection that could not be made or by the instance's 429 or 503, is sent to the next instance; one that
///   may have started (no answer in time, a broken answer) is never sent again: its error says it may have run.
/// - A job's requests (`jobs/{id}`, its events, its cancellation) go to the instance that runs it: the one the
///   gateway saw accept it (`Location` of the 202), else the one that knows the id. A job whose instance is gone
///   is answered 503 `instance_unavailable`: it is lost with its instance.
extension UpstreamProxy {
    func forwardBalanced(_ request: Request, context: GatewayRequestContext,
                         balancer: InstanceBalancer) async throws -> Response {
        var prepared = try prepare(request, context: context)
        if let body = try await replayableBody(of: request) { prepared.body = body }
        let rest = prepared.url.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        if rest.count >= 2, rest[0] == "jobs" {
            return try await forwardToJobOwner(String(rest[1]), prepared, request: request, context: context,
                                               balancer: balancer)
        }
        let candidates = balancer.candidates()
        var lastError: ServiceError?
        for (index, url) in candidates.enumerated() {
            let isLast = index == candidates.count - 1
            balancer.begin(url)
            let outcome = await send(prepared, to: instance(url), request: request, context: context)
            balancer.end(url)
            switch outcome {
            case .answered(let response) where !isLast && [429, 503].contains(response.status.code):
                _ = try? await response.body.collect(upTo: 1 << 20)  // refused before it started: try the next
            case .answered(let response):
                if response.status.code == 202, let id = Self.jobID(location: response.headers.first(name: "Location")) {
                    balancer.remember(job: id, at: url)
                }
                return Self.response(response)
            case .refused(let error, let busy):
                if !busy { balancer.markDown(url) }
                lastError = error
            case .failed(let error):
                throw Self.mayHaveRun(error)
            }
        }
        throw ServiceError(status: .serviceUnavailable, code: "service_unavailable",
                           message: "no \(upstream.service) instance took the request (tried \(candidates.count))"
                               + (lastError.map { ": \($0.message)" } ?? ""))
    }

    /// A job's request, sent where the job runs.
    private func forwardToJobOwner(_ id: String, _ prepared: HTTPClientRequest, request: Request,
                                   context: GatewayRequestContext, balancer: InstanceBalancer) async throws -> Response {
        if let owner = balancer.owner(of: id) {
            switch await send(prepared, to: instance(owner), request: request, context: context) {
            case .answered(let response):
                return Self.response(response)
            case .refused(_, busy: true):
                throw ServiceError.upstreamBusy(instance(owner))
            case .refused:
                balancer.markDown(owner)
                throw ServiceError(status: .serviceUnavailable, code: "instance_unavailable",
                                   message: "the \(upstream.service) instance that ran job \(id) (\(owner)) is not "
                                       + "reachable: the job is lost with it; run it again")
            case .failed(let error):
                throw error
            }
        }
        // Not seen starting here (another gateway, or a restart): ask each instance; only its owner knows it.
        var notFound: HTTPClientResponse?
        for url in balancer.candidates() {
            switch await send(prepared, to: instance(url), request: request, context: context) {
            case .answered(let response) where response.status == .notFound:
                if let earlier = notFound { _ = try? await earlier.body.collect(upTo: 1 << 20) }
                notFound = response
            case .answered(let response):
                balancer.remember(job: id, at: url)
                if let earlier = notFound { _ = try? await earlier.body.collect(upTo: 1 << 20) }
                return Self.response(response)
            case .refused, .failed:
                continue
            }
        }
        if let notFound { return Self.response(notFound) }
        throw ServiceError(status: .serviceUnavailable, code: "service_unavailable",
                           message: "no \(upstream.service) instance is reachable to look up job \(id)")
    }

    /// The request body whole, so that it can be sent again to another instance (at most `maxBodyBytes`).
    private func replayableBody(of request: Request) async throws -> HTTPClientRequest.Body? {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if declared == 0 || (declared == nil && (request.method == .get || request.method == .head)) { return nil }
        if let declared, declared > maxBodyBytes { throw ServiceError.payloadTooLarge(limit: maxBodyBytes) }
        var bytes = ByteBuffer()
        for try await chunk in LimitedRequestBody(base: request.body, limit: maxBodyBytes) {
            bytes.writeImmutableBuffer(chunk)
        }
        return bytes.readableBytes == 0 ? nil : .bytes(bytes)
    }

    /// The route table entry for one instance: errors name its URL.
    private func instance(_ url: String) -> Upstream {
        Upstream(route: upstream.route, service: upstream.service, baseURL: url)
    }

    /// The job id in a 202's `Location` (`/api/bexy/jobs/<id>` or `/jobs/<id>`).
    static func jobID(location: String?) -> String? {
        guard let location, let range = location.range(of: "/jobs/") else { return nil }
        let id = location[range.upperBound...].prefix { $0 != "/" && $0 != "?" }
        return id.isEmpty ? nil : String(id)
    }

    /// `error`, saying that the request may have run and so was not sent anywhere else.
    static func mayHaveRun(_ error: ServiceError) -> ServiceError {
        var error = error
        error.message += "; the request may have run there, so it was not sent to another instance"
        return error
    }
}
