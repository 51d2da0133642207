import Hummingbird
import NIOCore

/// The BEXY service's request context: Hummingbird's core context plus the request's connection, which
/// `POST /execute` watches to cancel the job of a client that went away (`PeerDisconnect`).
public struct BexyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came in on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
