import Hummingbird

/// `GET /metrics`: every metric of `LogLamaMetrics` in the Prometheus text exposition format, with the
/// stored-records gauges counted from the database at each scrape.
struct MetricsRoutes<Context: RequestContext>: Sendable {
    let store: LogLamaStore
    let metrics: LogLamaMetrics

    /// The content type Prometheus expects for the text format.
    static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    func register(on router: Router<Context>) {
        router.get("/metrics") { _, _ in
            metrics.updateStoredGauges(try await store.census())
            let body = ByteBuffer(bytes: metrics.exposition())
            return Response(
                status: .ok,
                headers: [.contentType: Self.contentType, .contentLength: String(body.readableBytes)],
                body: .init(byteBuffer: body))
        }
    }
}
