import Bexy
import TestSupport
import Testing

/// The service's own behaviour (checking requests, the token, health and profiles, metrics, scheduling and the
/// 429, the jobs API and its events, cancellation, auditing) over a `ScriptedRunner`: no root, no sandbox, and the
/// suites run in parallel. What runs in real sandboxes is in `BexyServiceTests`.
@Suite struct ScriptedServiceTests {}

/// A script for `LiveBexy.run(script:)`: the job `table` gives for the request's code, else `otherwise`.
func scripts(_ table: [String: ScriptedJob] = [:], otherwise: ScriptedJob = .prints(""))
    -> @Sendable (ExecutionRequest) -> ScriptedJob {
    { request in table[String(decoding: request.code, as: UTF8.self)] ?? otherwise }
}

extension LiveBexy {
    /// Wait until `/health` shows `running` jobs and `queued` waiting ones.
    func awaitLoad(running: Int, queued: Int = 0) async throws {
        try await Harness.eventually("running=\(running) queued=\(queued)") {
            let scheduler = try await get("/health", headers: []).json["scheduler"]
            return scheduler?["running"]?.int == running && scheduler?["queued"]?.int == queued
        }
    }
}
