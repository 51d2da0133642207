#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Jail

/// Where bexy puts itself and its jobs on cgroup v2 in each real placement (the root cgroup, a delegated service
/// cgroup, a container's cgroup namespace), and how it fails closed when the controllers are not delegated.
@Suite("CgroupV2DelegationTests")
struct CgroupV2DelegationTests {
    let own = "/cg/system.slice/bexy.service"

    func writes(_ fs: FakeCgroupFileSystem) -> [String] { fs.writes.map { "\($0.path)=\($0.value)" } }

    @Test func inTheRootCgroupNothingMoves() throws {
        let fs = rootV2Host()
        let hierarchy = try detectFake(fs)
        #expect(hierarchy.parentDirectories == ["/cg/bexy"])
        #expect(writes(fs) == ["/cg/cgroup.subtree_control=+memory +pids +cpu",
                               "/cg/bexy/cgroup.subtree_control=+memory +pids +cpu"])
        #expect(!fs.isDirectory("/cg/bexy-supervisor"))
        let placement = Cgroups.v2Placement(root: "/cg", fs: fs)
        #expect(placement?.isRoot == true)
        #expect(placement?.supervisorLeaf == nil)
        #expect(placement?.missingControllers == [])
    }

    @Test func inADelegatedServiceCgroupBexyMovesIntoALeafAndJobsAreItsSiblings() throws {
        let fs = pureV2Host()
        let before = Cgroups.v2Placement(root: "/cg", fs: fs)
        #expect(before == CgroupV2Placement(
            own: own, isRoot: false, supervisorLeaf: own + "/bexy-supervisor", jobsParent: own + "/bexy",
            controllers: ["memory", "pids", "cpu"].map { .init(name: $0, delegated: true) },
            ownControllers: ["cpu", "io", "memory", "pids"]))
        #expect(fs.writes.isEmpty)

        let hierarchy = try detectFake(fs)
        #expect(fs.file(own + "/cgroup.procs") == "")
        #expect(fs.file(own + "/bexy-supervisor/cgroup.procs") == FakeCgroupFileSystem.selfPID + "\n")
        #expect(fs.file(own + "/cgroup.subtree_control") == "memory pids cpu\n")
        let job = try hierarchy.create(name: "job-x-0", limits: jobLimits())
        #expect(job.directories == [own + "/bexy/job-x-0"])
        #expect(hierarchy.missingFeatures().isEmpty)

        // A second detect in the same process (bexy already in its leaf) finds the same cgroups.
        let again = try detectFake(fs)
        #expect(again.parentDirectories == [own + "/bexy"])
        #expect(!fs.isDirectory(own + "/bexy-supervisor/bexy-supervisor"))
        #expect(Cgroups.v2Placement(root: "/cg", fs: fs) == before)
    }

    @Test func aContainersCgroupNamespaceRootIsNotTheHierarchysRoot() throws {
        let fs = FakeCgroupFileSystem(populate: v2Files, selfCgroupRoot: "/cg")
        fs.setFile("/proc/self/cgroup", "0::/\n")
        fs.setFile("/cg/cgroup.type", "domain\n")
        fs.setFile("/cg/cgroup.controllers", "cpu memory pids\n")
        fs.setFile("/cg/cgroup.subtree_control", "\n")
        fs.setFile("/cg/cgroup.procs", FakeCgroupFileSystem.selfPID + "\n")
        let hierarchy = try detectFake(fs)
        #expect(hierarchy.parentDirectories == ["/cg/bexy"])
        #expect(fs.file("/cg/bexy-supervisor/cgroup.procs") == FakeCgroupFileSystem.selfPID + "\n")
        #expect(fs.file("/proc/self/cgroup") == "0::/bexy-supervisor\n")
    }

    @Test func anOwnCgroupNotVisibleUnderTheMountCountsAsTheMountRoot() {
        let fs = rootV2Host()
        fs.setFile("/proc/self/cgroup", "0::/docker/0123\n")
        #expect(Cgroups.v2Placement(root: "/cg", fs: fs)?.own == "/cg")
    }

    @Test func controllersNotDelegatedFailClosedNamingThemBeforeAnythingMoves() {
        let fs = pureV2Host()
        fs.setFile(own + "/cgroup.controllers", "cpu io\n")
        let placement = Cgroups.v2Placement(root: "/cg", fs: fs)
        #expect(placement?.controllers.map(\.delegated) == [false, false, true])
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.code == .missingFeature)
        #expect(error?.stage == "cgroup v2 delegation")
        #expect(error?.message.contains("the memory, pids controllers are not delegated to bexy's cgroup \(own)")
            == true)
        #expect(error?.message.contains("\"cpu io\"") == true)
        #expect(error?.hint?.contains("Delegate=yes") == true)
        #expect(error?.hint?.contains("cgroupns") == true)
        #expect(fs.writes.isEmpty)
        #expect(!fs.isDirectory(own + "/bexy-supervisor"))
    }

    @Test func anotherProcessInTheOwnCgroupIsExplained() {
        let fs = pureV2Host()
        fs.setFile(own + "/cgroup.procs", "77\n" + FakeCgroupFileSystem.selfPID + "\n")
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.stage == "cgroup v2 cgroup.subtree_control")
        #expect(error?.errno == EBUSY)
        #expect(error?.hint?.contains("other processes still live in \(own)") == true)
        #expect(error?.hint?.contains("memory, pids, cpu") == true)
        #expect(error?.hint?.contains("Delegate=yes") == true)
    }

    @Test func aCgroupBexyMayNotWriteIsExplained() {
        let fs = pureV2Host()
        fs.fail(own + "/cgroup.subtree_control", errno: EACCES)
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.errno == EACCES)
        #expect(error?.hint?.contains("may not enable memory, pids, cpu in \(own)") == true)
        #expect(error?.hint?.contains("Delegate=yes") == true)

        let leafless = pureV2Host()
        leafless.fail(own + "/bexy-supervisor", errno: EROFS)
        let readOnly = jailError { _ = try detectFake(leafless) }
        #expect(readOnly?.stage == "cgroup v2 supervisor leaf")
        #expect(readOnly?.errno == EROFS)
        #expect(readOnly?.hint?.contains("read-write") == true)
    }

    @Test func aHybridHostHasNoV2Placement() {
        #expect(Cgroups.v2Placement(root: "/cg", fs: hybridHost()) == nil)
    }
}
