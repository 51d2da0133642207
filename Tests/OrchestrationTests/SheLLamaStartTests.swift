import Foundation
import Orchestration
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `loglama start-all` starts SheLLama (`shellama serve`), which creates the default workspace when missing.
@Suite struct SheLLamaStartTests {
    @Test func startAllStartsAHealthySheLLamaWithItsDefaultWorkspace() async throws {
        try await withTestEcosystem { ecosystem in
            let port = closedPort()
            let path = ecosystem.directory + "/central.env"
            var central = try #require(try EnvironmentFile.load(path))
            central.set("SHELLAMA_PORT", String(port))
            central.set("SHELLAMA_URL", "http://127.0.0.1:\(port)")
            central.set("PYLAMA_INTERNAL_TOKEN", "int_orchestration-test-token")
            try central.write(to: path)

            let started = try ecosystem.loglama("start-all", "--services", "loglama,shellama")
            #expect(started.status == 0, "\(started.output)")
            let pid = try #require(ecosystem.pid(of: "shellama"), "no pid file after:\n\(started.output)")
            #expect(ProcessTable.isAlive(pid) && ProcessTable.runs(pid, executable: "shellama"))
            #expect(await HealthCheck.probe(service: "shellama", url: "http://127.0.0.1:\(port)").active)
            var info = stat()
            #expect(lstat(ecosystem.directory + "/.pylama/workspaces/default", &info) == 0
                    && info.st_mode & S_IFMT == S_IFDIR)

            let stopped = try ecosystem.loglama("stop-all", "--services", "loglama,shellama")
            #expect(stopped.status == 0, "\(stopped.output)")
            #expect(!ProcessTable.isAlive(pid))
        }
    }
}
