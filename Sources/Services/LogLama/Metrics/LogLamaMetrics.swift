import Contracts
import Metrics
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// LogLama's metrics, held in a Prometheus registry that belongs to one application.
///
/// Every metric is made through this instance's own `PrometheusMetricsFactory`, never through the process-wide
/// `MetricsSystem`, so two servers in one process (the tests run many) each count only their own traffic.
///
/// The metrics, as `GET /metrics` exposes them:
/// - `loglama_logs_ingested_total{level}`: log records stored by `POST /api/logs`, by level.
/// - `loglama_audit_records_stored_total{status}`: audit records newly stored by `POST /api/audit`, by status.
/// - `loglama_audit_duplicates_total`: audit records ignored because their id was already stored.
/// - `loglama_ingest_duration_seconds{kind}`: a histogram of the time to read, parse and store one batch,
///   `kind` = `logs` or `audit`; its `_count` is the number of batches stored.
/// - `loglama_http_requests_total{method,route,status}` and `loglama_http_request_duration_seconds{...}`: every
///   request, by route pattern (`/api/log/{id}`; `NotFound` when no route matched).
/// - `loglama_stored_logs{level}` and `loglama_stored_audit_records{status}`: what the database holds, counted at
///   scrape time, so they are right after a restart, a retention prune or a clear.
final class LogLamaMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let logsIngested: [LogLevel: Counter]
    private let auditStored: [ExecutionStatus: Counter]
    private let auditDuplicates: Counter
    private let logIngestDuration: Timer
    private let auditIngestDuration: Timer
    private let storedLogs: [LogLevel: Gauge]
    private let storedAudit: [ExecutionStatus: Gauge]

    /// Histogram buckets for batch and request durations: 0.5 ms to 10 s (a log batch usually takes about 1 ms).
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// A fresh registry with every labelled counter and gauge present at zero.
    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        self.factory = factory
        logsIngested = Dictionary(uniqueKeysWithValues: LogLevel.allCases.map { level in
            (level, Counter(label: "loglama_logs_ingested_total", dimensions: [("level", level.name)], factory: factory))
        })
        auditStored = Dictionary(uniqueKeysWithValues: ExecutionStatus.allCases.map { status in
            (status, Counter(label: "loglama_audit_records_stored_total", dimensions: [("status", status.rawValue)],
                             factory: factory))
        })
        auditDuplicates = Counter(label: "loglama_audit_duplicates_total", factory: factory)
        logIngestDuration = Timer(label: "loglama_ingest_duration_seconds", dimensions: [("kind", "logs")],
                                  factory: factory)
        auditIngestDuration = Timer(label: "loglama_ingest_duration_seconds", dimensions: [("kind", "audit")],
                                    factory: factory)
        storedLogs = Dictionary(uniqueKeysWithValues: LogLevel.allCases.map { level in
            (level, Gauge(label: "loglama_stored_logs", dimensions: [("level", level.name)], factory: factory))
        })
        storedAudit = Dictionary(uniqueKeysWithValues: ExecutionStatus.allCases.map { status in
            (status, Gauge(label: "loglama_stored_audit_records", dimensions: [("status", status.rawValue)],
                           factory: factory))
        })
    }

    /// Counts one stored log batch: one record per element of `levels`, and the batch's duration.
    func recordLogBatch(levels: some Sequence<LogLevel>, duration: Duration) {
        for level in levels { logsIngested[level]?.increment() }
        logIngestDuration.record(duration: duration)
    }

    /// Counts one stored audit batch: the statuses of the records it newly stored, how many it ignored as
    /// duplicates, and the batch's duration.
    func recordAuditBatch(storedStatuses: [ExecutionStatus], duplicates: Int, duration: Duration) {
        for status in storedStatuses { auditStored[status]?.increment() }
        auditDuplicates.increment(by: duplicates)
        auditIngestDuration.record(duration: duration)
    }

    /// Counts one HTTP request and its duration under its method, route pattern and response status.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "loglama_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "loglama_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .record(duration: duration)
    }

    /// Sets the stored-records gauges from a fresh count of the database; a level or status absent from it is 0.
    func updateStoredGauges(_ census: StoreCensus) {
        for (level, gauge) in storedLogs { gauge.record(census.logsByLevel[level] ?? 0) }
        for (status, gauge) in storedAudit { gauge.record(census.auditByStatus[status] ?? 0) }
    }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
