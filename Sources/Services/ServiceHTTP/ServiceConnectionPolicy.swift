import Hummingbird
import HummingbirdCore
import NIOCore

/// How every service of the ecosystem treats its HTTP connections, the same on every port.
///
/// - An idle connection is closed after `idleTimeout`. Idle means no complete request part arrived: a client that
///   trickles a request head byte by byte (slowloris) never completes one, so this is also the time a request
///   head has to arrive, and the time a keep-alive connection may wait between requests. A request whose
///   response is being written is never idle, however long the job or the event stream.
/// - A request head the HTTP parser refuses (over `maxHeaderBytes`, more than `maxHeaderFields` fields) is
///   answered with the error envelope (`MalformedHeadResponder`).
/// - Handlers can learn that their client went away (`PeerDisconnect`).
public struct ServiceConnectionPolicy: Sendable, Equatable {
    /// The default idle timeout. Clients that pool connections to our services (the gateway, log shipping, audit
    /// forwarding) drop idle ones sooner, at `clientPoolIdleTimeout`, so they never send on a connection the
    /// server is closing.
    public static let defaultIdleTimeout: Duration = .seconds(10)
    /// How long our own HTTP clients keep an idle pooled connection: well under `defaultIdleTimeout`.
    public static let clientPoolIdleTimeout: TimeAmount = .seconds(4)

    /// The time a connection may stay without a complete request part.
    public var idleTimeout: Duration
    /// The largest request head accepted, in bytes (one field and all fields together).
    public var maxHeaderBytes: Int
    /// The most header fields accepted in one request.
    public var maxHeaderFields: Int

    /// The policy every service runs with unless a test asks otherwise.
    public init(idleTimeout: Duration = defaultIdleTimeout, maxHeaderBytes: Int = 64 * 1024, maxHeaderFields: Int = 256) {
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderFields = maxHeaderFields
    }

    /// The HTTP/1.1 server that applies this policy.
    public var server: HTTPServerBuilder {
        var configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [MalformedHeadResponder(), PeerDisconnectHandler()],
            idleTimeout: TimeAmount(idleTimeout))
        configuration.httpDecoder = .init(maxHeaderFieldSize: maxHeaderBytes, maxHeaderListSize: maxHeaderBytes,
                                          maxHeaderFieldCount: maxHeaderFields)
        return .http1(configuration: configuration)
    }
}
