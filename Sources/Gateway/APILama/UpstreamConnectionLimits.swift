/// How many connections the gateway may hold open to one service, per pool.
///
/// Two pools, so that long-lived event streams (SSE: each holds its connection until the job ends) can never take
/// the connections that short requests (`/health`, `/profiles`, `/execute`) need. AsyncHTTPClient's default of 8
/// per host made 64 simultaneous `/execute` calls wait past the connect timeout and 8 open streams starve every
/// other route of the service.
public struct UpstreamConnectionLimits: Sendable, Equatable {
    /// The default for ordinary requests: 256 per service.
    public static let defaultRequests = 256
    /// The default for event streams: 64 per service.
    public static let defaultStreams = 64

    /// Connections per service for ordinary requests (`APILAMA_UPSTREAM_CONNECTIONS`).
    public var requests: Int
    /// Connections per service for event streams (`APILAMA_STREAM_CONNECTIONS`).
    public var streams: Int

    /// Limits; both at least 1.
    public init(requests: Int = UpstreamConnectionLimits.defaultRequests,
                streams: Int = UpstreamConnectionLimits.defaultStreams) {
        self.requests = max(1, requests)
        self.streams = max(1, streams)
    }
}
