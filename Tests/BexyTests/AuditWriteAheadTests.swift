import Contracts
import FoundationEssentials
import TestSupport
import Testing

@testable import BexyAudit

#if canImport(Glibc)
import Glibc
#endif

/// The write-ahead audit record: `begin` before the run, `finish` after, and the sweep at every open that marks
/// `started` records of dead writers `interrupted` (and only those).
@Suite struct AuditWriteAheadTests {
    private static func record(_ id: String = AuditRecord.newID(), status: ExecutionStatus = .ok) -> AuditRecord {
        AuditRecord(id: id, time: "2026-12-03T09:30:00.000Z", requester: "erin", frontDoor: .http, profile: "strict",
                    codeSha256: AuditRecord.sha256Hex(Array("print(1)".utf8)), codeBytes: 8,
                    limits: ExecutionLimits(wallTimeMs: 1000, cpuTimeMs: 1000, memoryBytes: 1 << 26, pids: 8,
                                            cpus: 1, openFiles: 64, fileSizeBytes: 1 << 20, stackBytes: 1 << 23,
                                            stdoutBytes: 1 << 16, stderrBytes: 1 << 16, tmpBytes: 1 << 20,
                                            workdirBytes: 1 << 20),
                    status: status, wallMs: status == .started ? 0 : 12, cpuMs: 0, stdoutBytes: 0, stderrBytes: 0,
                    hostUid: 0, bexyVersion: "0.1.0")
    }

    private static func path() -> String { temporaryDirectory(prefix: "bexy-write-ahead") + "/audit.db" }

    /// The pid of a process that has exited and been reaped.
    private static func goneProcess() throws -> pid_t {
        var pid: pid_t = 0
        let rc = spawnAsFromLoginShell(["/bin/true"], environment: [:], stdin: "/dev/null", stdout: "/dev/null",
                                       stderr: "/dev/null", pid: &pid)
        try #require(rc == 0)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        return pid
    }

    @Test func beginIsStartedAndUnforwardedUntilFinishReplacesIt() throws {
        let spool = try AuditSpool(path: Self.path())
        let id = AuditRecord.newID()
        try spool.begin(Self.record(id, status: .ok))
        #expect(try spool.list(limit: 10).map(\.status) == [.started], "begin stores `started` whatever it is given")
        #expect(try spool.pending(limit: 10).isEmpty, "a started record is not forwarded")
        #expect(try spool.markForwarded(upTo: Int64.max) == 0)

        try spool.finish(Self.record(id, status: .timeout))
        #expect(try spool.list(limit: 10).map(\.status) == [.timeout])
        #expect(try spool.pending(limit: 10).map(\.record.id) == [id])
        #expect(throws: AuditSpoolError.self, "an id runs once") { try spool.begin(Self.record(id)) }
    }

    @Test func openingMarksTheRecordsOfDeadWritersInterruptedAndLeavesLiveOnes() throws {
        let path = Self.path()
        let spool = try AuditSpool(path: path)
        let current = try #require(SpoolWriter.current)
        let otherBoot = AuditRecord.newID(), exited = AuditRecord.newID(), reusedPid = AuditRecord.newID()
        let live = AuditRecord.newID(), unknownWriter = AuditRecord.newID()
        try spool.begin(Self.record(otherBoot), as: SpoolWriter(bootID: "another-boot", pid: current.pid,
                                                                 startTicks: current.startTicks))
        try spool.begin(Self.record(exited), as: SpoolWriter(bootID: current.bootID, pid: try Self.goneProcess(),
                                                             startTicks: "1"))
        try spool.begin(Self.record(reusedPid), as: SpoolWriter(bootID: current.bootID, pid: current.pid,
                                                                startTicks: "not-this-process"))
        try spool.begin(Self.record(live))
        try spool.begin(Self.record(unknownWriter), as: nil)
        #expect(spool.interruptedAtOpen.isEmpty)

        let reopened = try AuditSpool(path: path)
        #expect(reopened.interruptedAtOpen == [otherBoot, exited, reusedPid])
        let statuses = Dictionary(uniqueKeysWithValues: try reopened.list(limit: 10).map { ($0.id, $0.status) })
        #expect(statuses == [otherBoot: .interrupted, exited: .interrupted, reusedPid: .interrupted,
                             live: .started, unknownWriter: .started])
        #expect(Set(try reopened.pending(limit: 10).map(\.record.id)) == [otherBoot, exited, reusedPid])
        // The interrupted record keeps what was written ahead: the code's hash and the requester.
        let interrupted = try #require(try reopened.list(limit: 10, status: .interrupted).first)
        #expect(interrupted.codeSha256 == Self.record().codeSha256 && interrupted.requester == "erin")

        // The live writer still completes its record.
        try spool.finish(Self.record(live, status: .ok))
        #expect(try AuditSpool(path: path).interruptedAtOpen.isEmpty)
        #expect(try spool.list(limit: 10, status: .ok).map(\.id) == [live])
    }

    @Test func writerTextRoundTrips() throws {
        let writer = try #require(SpoolWriter.current)
        #expect(SpoolWriter(text: writer.text) == writer)
        #expect(!writer.isGone)
        for text in ["", "a/b", "boot/notapid/1", "/1/2", "boot/1/"] { #expect(SpoolWriter(text: text) == nil) }
    }
}
