import Foundation
import Orchestration
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What start-all, stop-all and status report when a service cannot start, is not built, or left a stale
/// pid file.
@Suite struct FailureTests {
    @Test func aServiceWhosePortIsTakenIsReportedWithItsLogTailAndItsDependentSkipped() async throws {
        let listener = LoopbackSocket(listening: true)
        try await withTestEcosystem(loglamaPort: listener.port) { ecosystem in
            let result = try ecosystem.loglama("start-all", "--services", "loglama,bexy", "--timeout", "10")
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains("loglama   FAILED"), "\(result.output)")
            #expect(result.output.contains("bexy      skipped          needs loglama, which failed to start"),
                    "\(result.output)")
            let log = ecosystem.runDirectory.logTail(of: "loglama")
            let lastLine = try #require(log.last, "loglama's log is empty")
            #expect(result.output.contains("    " + lastLine), "\(result.output)")

            // The report names the pid it started; that process is gone and left no pid file.
            let words = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
            let pidIndex = try #require(words.firstIndex(of: "pid"), "\(result.output)")
            let pid = try #require(pid_t(words[pidIndex + 1]), "\(result.output)")
            #expect(!ProcessTable.isAlive(pid))
            #expect(ecosystem.pid(of: "loglama") == nil)
            #expect(access(ecosystem.runDirectory.pidFilePath(of: "loglama"), F_OK) != 0)
        }
        _ = consume listener
    }

    @Test func aDependentOfAStoppedServiceIsSkipped() async throws {
        try await withTestEcosystem { ecosystem in
            let result = try ecosystem.loglama("start-all", "--services", "bexy")
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains("bexy      skipped          needs loglama, which is not running"),
                    "\(result.output)")
            #expect(ecosystem.pid(of: "bexy") == nil)
        }
    }

    @Test func aNotBuiltServiceIsReportedAsSuch() async throws {
        try await withTestEcosystem { ecosystem in
            // A `loglama` alone in its directory (and none of the services on PATH): WebLama is not built, so it is
            // not skipped although its dependency APILama is not running.
            let lonely = ecosystem.directory + "/bin/loglama"
            try FileManager.default.createDirectory(atPath: ecosystem.directory + "/bin", withIntermediateDirectories: true)
            try FileManager.default.linkItem(atPath: TestEcosystem.binary, toPath: lonely)
            let started = try ecosystem.loglama(["start-all", "--services", "weblama"], binary: lonely)
            #expect(started.status == 0, "\(started.output)")
            #expect(started.output.contains("weblama   not built        `weblama` not found beside this binary or on PATH"),
                    "\(started.output)")
            #expect(ecosystem.pid(of: "weblama") == nil)

            let status = try ecosystem.loglama(["status"], binary: lonely)
            let line = try #require(status.output.split(separator: "\n").first { $0.hasPrefix("weblama ") })
            #expect(line.contains("not built") && line.contains("down"), "\(line)")
        }
    }

    /// A pid file whose process is gone, and one whose pid now belongs to another program (this test runner):
    /// both are stale; stop-all removes them and signals nothing; start-all replaces them.
    @Test func stalePidFilesAreReportedAndCleaned() async throws {
        try await withTestEcosystem { ecosystem in
            try ecosystem.runDirectory.create()
            let deadPid = try Self.pidAbovePidMax()
            try ecosystem.runDirectory.writePid(PidRecord(pid: deadPid, startedAt: 1), of: "loglama")
            try ecosystem.runDirectory.writePid(PidRecord(pid: getpid(), startedAt: 1), of: "bexy")

            let status = try ecosystem.loglama("status")
            for (service, pid) in [("loglama", deadPid), ("bexy", getpid())] {
                let line = try #require(status.output.split(separator: "\n").first { $0.hasPrefix(service + " ") })
                #expect(line.contains("stale") && line.contains(" \(pid) "), "\(line)")
            }

            let stopped = try ecosystem.loglama("stop-all", "--services", "loglama,bexy")
            #expect(stopped.status == 0, "\(stopped.output)")
            #expect(stopped.output.contains("removed a stale pid file (pid \(deadPid) is gone)"), "\(stopped.output)")
            #expect(ecosystem.pid(of: "loglama") == nil && ecosystem.pid(of: "bexy") == nil)

            try ecosystem.runDirectory.writePid(PidRecord(pid: deadPid, startedAt: 1), of: "loglama")
            let started = try ecosystem.loglama("start-all", "--services", "loglama")
            #expect(started.status == 0, "\(started.output)")
            #expect(started.output.contains("(removed a stale pid file)"), "\(started.output)")
            let pid = try #require(ecosystem.pid(of: "loglama"))
            #expect(pid != deadPid && ProcessTable.isAlive(pid))
        }
    }

    /// A pid no process can have: one above the kernel's pid_max.
    static func pidAbovePidMax() throws -> pid_t {
        let text = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
        return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))) + 1
    }
}
