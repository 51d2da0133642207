import Bexy
import Contracts
import Jail
import JailWarm
import Metrics
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The BEXY service's metrics, in a Prometheus registry that belongs to one server (never the process-wide
/// `MetricsSystem`, so servers in one test process count apart).
///
/// As `GET /metrics` exposes them:
/// - `bexy_executions_total{status}`: executions this server ran to an outcome, by status (`cancelled` included).
/// - `bexy_execution_duration_seconds`: a histogram of how long each execution held its sandbox slot.
/// - `bexy_rejected_total{reason}`: requests refused before running: `queue_full` (429) or `shutting_down` (503).
/// - `bexy_slots`, `bexy_running`, `bexy_queued`, `bexy_queue_capacity`: the scheduler's load, read at scrape time.
/// - The warm pool (absent with BEXY_WARM=0), read at scrape time: its idle cost `bexy_warm_idle_sandboxes`,
///   `bexy_warm_idle_memory_bytes`, `bexy_warm_idle_cgroups`, `bexy_warm_zygotes`, `bexy_warm_zygote_resident_bytes`,
///   `bexy_warm_target_idle`, `bexy_warm_available` (0 when jobs cannot run warm; see /health), and its counters
///   `bexy_warm_jobs_total{result="hit|miss|cold"}`, `bexy_warm_recycled_total`, `bexy_warm_failures_total`.
public final class BexyMetrics: SchedulerMetrics {
    private let registry: PrometheusCollectorRegistry
    private let executions: [ExecutionStatus: Counter]
    private let duration: Timer
    private let queueFull: Counter
    private let shuttingDown: Counter
    private let slots: Gauge
    private let running: Gauge
    private let queued: Gauge
    private let queueCapacity: Gauge
    private let warmGauges: [(String, @Sendable (WarmPoolStatistics) -> Int)] = [
        ("bexy_warm_idle_sandboxes", { $0.idleSandboxes }), ("bexy_warm_idle_memory_bytes", { $0.idleMemoryBytes }),
        ("bexy_warm_idle_cgroups", { $0.idleCgroups }), ("bexy_warm_zygotes", { $0.zygotes }),
        ("bexy_warm_zygote_resident_bytes", { $0.zygoteResidentBytes }), ("bexy_warm_target_idle", { $0.targetIdle }),
        ("bexy_warm_available", { $0.unavailableReason == nil ? 1 : 0 }),
        ("bexy_warm_jobs_total{result=\"hit\"}", { $0.hits }), ("bexy_warm_jobs_total{result=\"miss\"}", { $0.misses }),
        ("bexy_warm_jobs_total{result=\"cold\"}", { $0.cold }), ("bexy_warm_recycled_total", { $0.recycled }),
        ("bexy_warm_failures_total", { $0.failures }),
    ]

    /// Histogram buckets: 5 ms to 60 s (a hello world holds its slot about 20 ms).
    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    /// A fresh registry with every labelled counter present at zero.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        executions = Dictionary(uniqueKeysWithValues: ExecutionStatus.outcomes.map { status in
            (status, Counter(label: "bexy_executions_total", dimensions: [("status", status.rawValue)], factory: factory))
        })
        duration = Timer(label: "bexy_execution_duration_seconds", factory: factory)
        queueFull = Counter(label: "bexy_rejected_total", dimensions: [("reason", "queue_full")], factory: factory)
        shuttingDown = Counter(label: "bexy_rejected_total", dimensions: [("reason", "shutting_down")], factory: factory)
        slots = Gauge(label: "bexy_slots", factory: factory)
        running = Gauge(label: "bexy_running", factory: factory)
        queued = Gauge(label: "bexy_queued", factory: factory)
        queueCapacity = Gauge(label: "bexy_queue_capacity", factory: factory)
    }

    /// Counts one execution that reached an outcome after holding its slot for `held`.
    public func recordExecution(_ status: ExecutionStatus, held: Duration) {
        executions[status]?.increment()
        duration.record(duration: held)
    }

    /// Counts one refused submission.
    public func recordRejection(_ error: SchedulerError) {
        switch error {
        case .queueFull: queueFull.increment()
        case .shuttingDown: shuttingDown.increment()
        case .cannotTrack: break
        }
    }

    /// The exposition text, with the load gauges set from `load` first, then the warm pool's lines.
    ///
    /// The pool keeps its own totals, so its lines are written from a snapshot rather than through the registry.
    func exposition(load: SchedulerLoad, warm: WarmPoolStatistics?) -> [UInt8] {
        slots.record(load.slots)
        running.record(load.running)
        queued.record(load.queued)
        queueCapacity.record(load.queueCapacity)
        var text = registry.emitToBuffer()
        guard let warm else { return text }
        var declared: Set<String> = []
        for (name, value) in warmGauges {
            let family = String(name.prefix { $0 != "{" })
            if declared.insert(family).inserted {
                text += Array("# TYPE \(family) \(family.hasSuffix("_total") ? "counter" : "gauge")\n".utf8)
            }
            text += Array("\(name) \(value(warm))\n".utf8)
        }
        return text
    }
}
