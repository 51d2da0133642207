import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Tells request handlers that their client went away, so work done only for that client can stop.
///
/// Hummingbird neither cancels a handler when its connection drops nor closes a half-closed connection (it
/// enables remote half-closure), so a handler awaiting long work would never hear of it. `PeerDisconnectHandler`,
/// installed in every connection's pipeline, reports the peer closing its sending side (`inputClosed`) or the
/// whole connection (`channelInactive`); a handler finds its connection's `PeerDisconnect` with `of(_:)` and
/// registers what to do. A client that half-closes while still waiting for its response counts as gone.
public final class PeerDisconnect: Sendable {
    /// A registered action, to remove with `remove(_:)` once the request is done.
    public struct Registration: Sendable {
        fileprivate let id: Int
    }

    private struct State {
        var disconnected = false
        var nextID = 0
        var actions: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// The `PeerDisconnect` of `channel`'s connection.
    ///
    /// - Throws: if the channel's pipeline has no `PeerDisconnectHandler` (the server was built without it).
    public static func of(_ channel: any Channel) async throws -> PeerDisconnect {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: PeerDisconnectHandler.self).peer
        }.get()
    }

    /// Whether the client has gone.
    public var isDisconnected: Bool { state.withLock { $0.disconnected } }

    /// Run `action` (once, on the event loop) when the client goes; at once, on this thread, if it already has.
    public func onDisconnect(_ action: @escaping @Sendable () -> Void) -> Registration {
        let (registration, alreadyGone) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            if !state.disconnected { state.actions[id] = action }
            return (Registration(id: id), state.disconnected)
        }
        if alreadyGone { action() }
        return registration
    }

    /// Forget a registered action.
    public func remove(_ registration: Registration) {
        _ = state.withLock { $0.actions.removeValue(forKey: registration.id) }
    }

    fileprivate func markDisconnected() {
        let actions = state.withLock { state in
            state.disconnected = true
            defer { state.actions = [:] }
            return Array(state.actions.values)
        }
        for action in actions { action() }
    }
}

/// The pipeline half of `PeerDisconnect`: add one per connection, e.g.
/// `.http1(configuration: .init(additionalChannelHandlers: [PeerDisconnectHandler()]))`.
public final class PeerDisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart

    let peer = PeerDisconnect()

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { peer.markDisconnected() }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        peer.markDisconnected()
        context.fireChannelInactive()
    }
}
