import Foundation
import Orchestration
import ServiceKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real LogLama started, inspected, left alone, restarted and stopped through the `loglama` binary.
@Suite struct LifecycleTests {
    @Test func startAllStartsAHealthyLogLamaThatStatusShowsAndStopAllStops() async throws {
        try await withTestEcosystem { ecosystem in
            let started = try ecosystem.loglama("start-all", "--services", "loglama")
            #expect(started.status == 0, "\(started.output)")
            #expect(started.output.contains("started"), "\(started.output)")
            let pid = try #require(ecosystem.pid(of: "loglama"), "no pid file after:\n\(started.output)")
            #expect(ProcessTable.isAlive(pid) && ProcessTable.runs(pid, executable: "loglama"))
            #expect(access(ecosystem.runDirectory.logPath(of: "loglama"), F_OK) == 0)
            let url = "http://127.0.0.1:\(ecosystem.loglamaPort)"
            #expect(await HealthCheck.probe(service: "loglama", url: url).active)

            let status = try ecosystem.loglama("status")
            #expect(status.status == 0, "\(status.output)")
            let line = try #require(status.output.split(separator: "\n").first { $0.hasPrefix("loglama ") })
            #expect(line.contains("running") && line.contains(" \(pid) ") && line.contains(" \(ecosystem.loglamaPort) ")
                    && line.contains("healthy"), "\(line)")

            let json = try ecosystem.loglama("status", "--json")
            let document = try #require(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            #expect(document["run_dir"] as? String == ecosystem.runDirectory.path)
            let services = try #require(document["services"] as? [[String: Any]])
            let loglama = try #require(services.first { $0["service"] as? String == "loglama" })
            #expect(loglama["state"] as? String == "running")
            #expect(loglama["pid"] as? Int == Int(pid))
            #expect(loglama["port"] as? Int == ecosystem.loglamaPort)
            #expect(loglama["healthy"] as? Bool == true)
            #expect(loglama["uptime_seconds"] is Int)
            #expect(services.first { $0["service"] as? String == "bexy" }?["healthy"] as? Bool == false)

            // The running stack's own port is not a conflict.
            let deps = try ecosystem.loglama("check-deps", "loglama")
            #expect(deps.output.contains("ok      port \(ecosystem.loglamaPort) in use by loglama itself (pid \(pid))"),
                    "\(deps.output)")
            #expect(!deps.output.contains("MISSING port"), "\(deps.output)")

            let again = try ecosystem.loglama("start-all", "--services", "loglama")
            #expect(again.status == 0, "\(again.output)")
            #expect(again.output.contains("already running  pid \(pid)"), "\(again.output)")
            #expect(ecosystem.pid(of: "loglama") == pid)

            let stopped = try ecosystem.loglama("stop-all", "--services", "loglama")
            #expect(stopped.status == 0, "\(stopped.output)")
            #expect(stopped.output.contains("stopped          pid \(pid) exited after SIGTERM"), "\(stopped.output)")
            #expect(!ProcessTable.isAlive(pid))
            #expect(ecosystem.pid(of: "loglama") == nil)
            #expect(access(ecosystem.runDirectory.pidFilePath(of: "loglama"), F_OK) != 0)
            #expect(!TestEcosystem.isListening(ecosystem.loglamaPort))

            let afterwards = try ecosystem.loglama("stop-all", "--services", "loglama")
            #expect(afterwards.status == 0 && afterwards.output.contains("not running"), "\(afterwards.output)")
        }
    }

    @Test func restartGivesLogLamaANewPid() async throws {
        try await withTestEcosystem { ecosystem in
            let started = try ecosystem.loglama("start-all", "--services", "loglama")
            #expect(started.status == 0, "\(started.output)")
            let first = try #require(ecosystem.pid(of: "loglama"), "\(started.output)")

            let restarted = try ecosystem.loglama("restart", "loglama")
            #expect(restarted.status == 0, "\(restarted.output)")
            let second = try #require(ecosystem.pid(of: "loglama"), "\(restarted.output)")
            #expect(second != first)
            #expect(!ProcessTable.isAlive(first))
            #expect(restarted.output.contains("stopped") && restarted.output.contains("started          pid \(second)"),
                    "\(restarted.output)")
            #expect(await HealthCheck.probe(service: "loglama", url: "http://127.0.0.1:\(ecosystem.loglamaPort)").active)
        }
    }
}
