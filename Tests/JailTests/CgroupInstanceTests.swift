import Foundation
import TestSupport
import Testing
@testable import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Two BEXY instances on one host (different runtime directories) never share a job cgroup, and the stale-job
/// sweep of one never touches the other's.
@Suite("CgroupInstanceTests")
struct CgroupInstanceTests {
    @Test func theInstanceComesFromTheNormalizedRuntimeDirectory() {
        let a = SandboxConfiguration(runtimeDirectory: "/run/bexy")
        #expect(a.instance.count == 8)
        #expect(a.instance.allSatisfy { $0.isHexDigit })
        #expect(SandboxConfiguration(runtimeDirectory: "/run//bexy/").instance == a.instance)
        #expect(SandboxConfiguration(runtimeDirectory: "/run/bexy-2").instance != a.instance)
        #expect(a.cgroupName(slot: 3) == "job-\(a.instance)-3")
        #expect(SandboxConfiguration(runtimeDirectory: "/run/bexy-2").cgroupName(slot: 3) != a.cgroupName(slot: 3))
    }

    @Test(.enabled(if: TestHost.canRunSandboxes, "needs root and the sandbox's kernel features"))
    func oneInstancesSweepLeavesTheOthersJobCgroupsAlone() throws {
        let base = temporaryDirectory(prefix: "bexy-instances")
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(chmod(base, 0o755) == 0)  // jobs mount their root below it: others must be able to search it
        let first = try Sandbox(configuration: SandboxConfiguration(runtimeDirectory: base + "/a", maxSlots: 2))
        let second = try Sandbox(configuration: SandboxConfiguration(runtimeDirectory: base + "/b", maxSlots: 2))
        #expect(first.cgroupName(slot: 0) != second.cgroupName(slot: 0))

        // What killed instances leave: the cgroup of the first's job in slot 0 and of the second's in slot 1 (the
        // slot locks themselves are free).
        let limits = jobLimits(memoryBytes: 64 << 20, pids: 8, cpus: 1)
        let mine = try first.cgroups.create(name: first.cgroupName(slot: 0), limits: limits).directories
        let theirs = try second.cgroups.create(name: second.cgroupName(slot: 1), limits: limits).directories
        #expect(!mine.isEmpty && !theirs.isEmpty)
        #expect(Set(mine).isDisjoint(with: theirs))

        let secondSweep = second.sweepStaleJobs()
        #expect(secondSweep.failures.isEmpty)
        #expect(Set(secondSweep.removedCgroups) == Set(theirs))
        #expect(mine.allSatisfy { access($0, F_OK) == 0 })

        let firstSweep = first.sweepStaleJobs()
        #expect(firstSweep.failures.isEmpty)
        #expect(Set(firstSweep.removedCgroups) == Set(mine))
        #expect((mine + theirs).allSatisfy { access($0, F_OK) != 0 })
    }
}
