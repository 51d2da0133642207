import Bexy
import Jail
import Hummingbird

/// `GET /metrics` (internal token): `BexyMetrics` in the Prometheus text exposition format.
struct MetricsRoute: Sendable {
    let metrics: BexyMetrics
    let scheduler: ExecutionScheduler
    let runner: any JobRunner

    func register(on router: Router<BexyRequestContext>) {
        router.get("/metrics") { _, _ in
            let body = ByteBuffer(bytes: metrics.exposition(load: scheduler.load, warm: runner.warmPoolStatistics))
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8",
                          .contentLength: String(body.readableBytes)],
                body: .init(byteBuffer: body))
        }
    }
}
