import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Turns a failed upstream call into the status a client can act on.
///
/// - 503 `service_unavailable`: the connection was refused or could not be made: the service is down.
/// - 504 `upstream_timeout`: connected, but no response head before `APILAMA_UPSTREAM_TIMEOUT`.
/// - 502 `bad_gateway`: the service answered with something that is not HTTP, or hung up before answering.
/// Errors of the gateway's own (a body over the limit while it streamed) pass through unchanged.
enum UpstreamFailure {
    static func serviceError(for error: any Error, upstream: Upstream, timeout: Duration) -> ServiceError {
        if let error = error as? ServiceError { return error }
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout {
                return .upstreamTimeout(upstream, after: timeout)
            }
            if error == .connectTimeout { return .serviceUnavailable(upstream, "connection timed out") }
            return .badGateway(upstream, String(describing: error))
        }
        if let error = error as? NIOConnectionError {
            let refused = error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
            return .serviceUnavailable(upstream, refused ? "connection refused" : String(describing: error))
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return .serviceUnavailable(upstream, "connection refused")
        }
        if error is HTTPParserError { return .badGateway(upstream, "the answer is not HTTP (\(error))") }
        return .badGateway(upstream, String(describing: error))
    }
}
