import Bexy
import Hummingbird
import Jail
import ServiceHTTP

/// `GET /health` (no token needed): `{status, service: "bexy", version, sandbox: {ok, reason?, missing?},
/// scheduler: {slots, running, queued, queue_capacity, accepting}}`.
///
/// `status` is `healthy` (200), or with 503 `unhealthy` when this host cannot run sandboxes (`reason` is the
/// runner's host check, `missing` the required features `bexy doctor` reports missing) or `draining` once
/// shutdown has begun.
struct HealthRoute: Sendable {
    let runner: any JobRunner
    let scheduler: ExecutionScheduler

    func register(on router: Router<BexyRequestContext>) {
        router.get("/health") { _, _ in
            let sandbox = SandboxHealth(runner: runner)
            let load = scheduler.load
            let status = !sandbox.ok ? "unhealthy" : load.accepting ? "healthy" : "draining"
            return try JSONResponse.make(Health(status: status, sandbox: sandbox, scheduler: load),
                                         status: status == "healthy" ? .ok : .serviceUnavailable)
        }
    }
}

private struct Health: Encodable {
    var status: String
    var service = "bexy"
    var version = Engine.version
    var sandbox: SandboxHealth
    var scheduler: SchedulerLoad

    init(status: String, sandbox: SandboxHealth, scheduler: SchedulerLoad) {
        self.status = status
        self.sandbox = sandbox
        self.scheduler = scheduler
    }
}

/// Whether jobs can run here and, if not, why.
private struct SandboxHealth: Encodable {
    struct Missing: Encodable {
        var feature: String
        var fix: String
    }

    var ok: Bool
    var reason: String?
    var missing: [Missing]?

    init(runner: any JobRunner) {
        guard let failure = runner.unavailableReason else {
            ok = true
            return
        }
        ok = false
        reason = failure.description
        missing = HostFeatures.probe().checks.filter { $0.required && !$0.ok }.map { Missing(feature: $0.feature, fix: $0.fix) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(missing, forKey: .missing)
    }

    enum CodingKeys: String, CodingKey { case ok, reason, missing }
}
