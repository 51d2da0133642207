#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TestSupport
import Testing
@testable import Jail

// MARK: - Detection

@Suite("CgroupTests")
struct CgroupTests {
    @Test func parsesProcSelfCgroup() {
        let entries = ProcCgroupEntry.parse("4:cpu,cpuacct:/a:b\n0::/\ngarbage\n1:name=systemd:/x\n")
        #expect(entries == [
            ProcCgroupEntry(hierarchyID: 4, controllers: ["cpu", "cpuacct"], path: "/a:b"),
            ProcCgroupEntry(hierarchyID: 0, controllers: [], path: "/"),
            ProcCgroupEntry(hierarchyID: 1, controllers: ["name=systemd"], path: "/x"),
        ])
    }

    @Test func detectsHybridAsV1WithPerControllerParents() throws {
        let fs = hybridHost()
        let hierarchy = try detectFake(fs)
        #expect(hierarchy.version == .v1)
        #expect(fs.isDirectory("/cg/memory/process_api/abc/bexy"))
        #expect(fs.isDirectory("/cg/pids/bexy"))
        #expect(fs.isDirectory("/cg/cpu/bexy"))
        #expect(!fs.isDirectory("/cg/unified/bexy"))
        #expect(fs.writes.isEmpty)
    }

    @Test func detectReusesAnExistingParent() throws {
        let fs = hybridHost()
        _ = try detectFake(fs)
        #expect(try detectFake(fs).version == .v1)
    }

    @Test func v1FallsBackToTheMountRootWhenTheOwnPathIsNotVisible() throws {
        let fs = hybridHost()
        fs.setFile("/proc/self/cgroup", "4:memory:/docker/123\n8:pids:/docker/123\n1:cpu:/docker/123\n")
        _ = try detectFake(fs, mode: "v1")
        #expect(fs.isDirectory("/cg/memory/bexy"))
        #expect(fs.isDirectory("/cg/pids/bexy"))
    }

    @Test func detectsPureV2AndEnablesControllers() throws {
        let fs = pureV2Host()
        let hierarchy = try detectFake(fs)
        #expect(hierarchy.version == .v2)
        #expect(fs.isDirectory("/cg/system.slice/bexy.service/bexy"))
        #expect(fs.writes.map { "\($0.path)=\($0.value)" } == [
            "/cg/system.slice/bexy.service/bexy-supervisor/cgroup.procs=0",
            "/cg/system.slice/bexy.service/cgroup.subtree_control=+memory +pids +cpu",
            "/cg/system.slice/bexy.service/bexy/cgroup.subtree_control=+memory +pids +cpu",
        ])
    }

    @Test func v2SkipsControllersThatAreAlreadyEnabled() throws {
        let fs = rootV2Host()
        fs.setFile("/cg/cgroup.subtree_control", "cpu memory\n")
        _ = try detectFake(fs)
        #expect(fs.writes.first.map { "\($0.path)=\($0.value)" } == "/cg/cgroup.subtree_control=+pids")
    }

    @Test func v2BusyOwnGroupExplainsDelegation() {
        let fs = pureV2Host()
        fs.fail("/cg/system.slice/bexy.service/cgroup.subtree_control", errno: EBUSY)
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.stage == "cgroup v2 cgroup.subtree_control")
        #expect(error?.errno == EBUSY)
        #expect(error?.hint?.contains("Delegate=yes") == true)
    }

    @Test func v2WithoutDelegatedControllersFailsClosed() {
        let fs = pureV2Host()
        fs.setFile("/cg/system.slice/bexy.service/cgroup.controllers", "cpu io\n")
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.code == .missingFeature)
        #expect(error?.message.contains("memory, pids") == true)
    }

    @Test func neitherHierarchyFailsClosedNamingWhatIsMissing() {
        let fs = hybridHost()
        fs.setFile("/proc/self/cgroup", "4:memory:/\n1:cpu:/\n0::/\n")
        let error = jailError { _ = try detectFake(fs) }
        #expect(error?.code == .missingFeature)
        #expect(error?.stage == "cgroup detect")
        #expect(error?.message.contains("no /cg/cgroup.controllers") == true)
        #expect(error?.message.contains("no v1 pids hierarchy") == true)
        #expect(error?.message.contains("v1 memory") == false)
        #expect(error?.hint?.contains("mount -t cgroup -o pids") == true)
    }

    @Test func v2ControllersListLackingPidsIsNotV2() throws {
        let fs = hybridHost()
        fs.setFile("/cg/cgroup.controllers", "cpu memory\n")
        #expect(try detectFake(fs).version == .v1)
    }

    @Test func forcedModes() {
        #expect(jailError { _ = try detectFake(hybridHost(), mode: "v2") }?.code == .missingFeature)
        #expect(jailError { _ = try detectFake(pureV2Host(), mode: "v1") }?.code == .missingFeature)
        #expect(jailError { _ = try detectFake(hybridHost(), mode: "v3") }?.code == .invalidConfiguration)
        #expect((try? detectFake(hybridHost(), mode: "v1"))?.version == .v1)
    }

    // MARK: - Limits

    @Test func v1CreateWritesExactlyTheLimits() throws {
        let fs = hybridHost()
        let job = try detectFake(fs).create(name: "job-3", limits: jobLimits())
        #expect(fs.writes.map { "\($0.path)=\($0.value)" } == [
            "/cg/memory/process_api/abc/bexy/job-3/memory.limit_in_bytes=268435456",
            "/cg/memory/process_api/abc/bexy/job-3/memory.memsw.limit_in_bytes=268435456",
            "/cg/memory/process_api/abc/bexy/job-3/memory.swappiness=0",
            "/cg/pids/bexy/job-3/pids.max=64",
            "/cg/cpu/bexy/job-3/cpu.cfs_period_us=100000",
            "/cg/cpu/bexy/job-3/cpu.cfs_quota_us=150000",
        ])
        #expect(job.cloneIntoFD == nil)
        #expect(job.joinFDs.count == 3)
        #expect(job.joinFDs.map { fs.openFDs[$0] } == [
            "/cg/memory/process_api/abc/bexy/job-3/tasks", "/cg/pids/bexy/job-3/tasks", "/cg/cpu/bexy/job-3/tasks",
        ])
        #expect(job.kill() == false)
    }

    @Test func v2CreateWritesExactlyTheLimits() throws {
        let fs = pureV2Host()
        let hierarchy = try detectFake(fs)
        let before = fs.writes.count
        let job = try hierarchy.create(name: "job-7", limits: jobLimits(memoryBytes: 1_000_000, pids: 5, cpus: 0.25))
        let dir = "/cg/system.slice/bexy.service/bexy/job-7"
        #expect(fs.writes.dropFirst(before).map { "\($0.path)=\($0.value)" } == [
            "\(dir)/memory.max=1000000",
            "\(dir)/memory.swap.max=0",
            "\(dir)/memory.oom.group=1",
            "\(dir)/pids.max=5",
            "\(dir)/cpu.max=25000 100000",
        ])
        #expect(job.joinFDs.isEmpty)
        #expect(job.cloneIntoFD.map { fs.openFDs[$0] } == dir)
        #expect(job.kill())
        #expect(fs.file("\(dir)/cgroup.kill") == "1")
    }

    @Test func v1WithoutSwapAccountingFailsClosedAndCleansUp() {
        let fs = hybridHost(populate: { path in v1Files(path).filter { !$0.hasPrefix("memory.memsw") } })
        let hierarchy = try? detectFake(fs)
        #expect(hierarchy?.missingFeatures().map(\.feature) == ["memory swap accounting"])
        let error = jailError { _ = try hierarchy?.create(name: "job-1", limits: jobLimits()) }
        #expect(error?.code == .missingFeature)
        #expect(error?.stage == "cgroup v1 memory.memsw.limit_in_bytes")
        #expect(error?.errno == ENOENT)
        #expect(error?.hint == "boot with swapaccount=1")
        #expect(!fs.isDirectory("/cg/memory/process_api/abc/bexy/job-1"))
        #expect(!fs.isDirectory("/cg/pids/bexy/job-1"))
        #expect(!fs.isDirectory("/cg/cpu/bexy/job-1"))
        #expect(fs.openFDs.isEmpty)
    }

    @Test func v2WithoutSwapAccountingFailsClosed() throws {
        let fs = FakeCgroupFileSystem(populate: { v2Files($0).filter { $0 != "memory.swap.max" } })
        fs.setFile("/proc/self/cgroup", "0::/\n")
        fs.setFile("/cg/cgroup.controllers", "cpu memory pids\n")
        fs.setFile("/cg/cgroup.subtree_control", "cpu memory pids\n")
        let hierarchy = try detectFake(fs)
        #expect(hierarchy.missingFeatures().map(\.feature) == ["memory swap accounting (memory.swap.max)"])
        let error = jailError { _ = try hierarchy.create(name: "job-1", limits: jobLimits()) }
        #expect(error?.code == .missingFeature)
        #expect(error?.stage == "cgroup v2 memory.swap.max")
        #expect(!fs.isDirectory("/cg/bexy/job-1"))
        #expect(fs.openFDs.isEmpty)
    }

    @Test func v1MissingFeaturesIsEmptyOnAFullHost() throws {
        #expect(try detectFake(hybridHost()).missingFeatures().isEmpty)
        #expect(try detectFake(pureV2Host()).missingFeatures().isEmpty)
    }

    @Test func failedWriteNamesTheFileAndErrno() throws {
        let fs = hybridHost()
        let hierarchy = try detectFake(fs)
        fs.fail("/cg/pids/bexy/job-2/pids.max", errno: EINVAL)
        let error = jailError { _ = try hierarchy.create(name: "job-2", limits: jobLimits()) }
        #expect(error?.code == .setupFailed)
        #expect(error?.stage == "cgroup v1 pids.max")
        #expect(error?.errno == EINVAL)
        #expect(error?.message.contains("/cg/pids/bexy/job-2/pids.max") == true)
        #expect(error?.hint != nil)
        #expect(!fs.isDirectory("/cg/pids/bexy/job-2"))
    }

    @Test func invalidNamesAndLimitsAreRejectedBeforeAnyWrite() throws {
        let fs = hybridHost()
        let hierarchy = try detectFake(fs)
        for name in ["", ".", "..", "a/b"] {
            #expect(jailError { _ = try hierarchy.create(name: name, limits: jobLimits()) }?.code
                == .invalidConfiguration)
        }
        for bad in [jobLimits(memoryBytes: 0), jobLimits(pids: 0), jobLimits(cpus: 0), jobLimits(cpus: .nan), jobLimits(cpus: 0.001)] {
            #expect(jailError { _ = try hierarchy.create(name: "job-1", limits: bad) }?.code
                == .invalidConfiguration)
        }
        #expect(fs.writes.isEmpty)
        #expect(!fs.log.contains { $0.hasPrefix("mkdir") && $0.hasSuffix("job-1") })
    }

    @Test func createRemovesAStaleGroupFirst() throws {
        let fs = hybridHost()
        let hierarchy = try detectFake(fs)
        fs.setFile("/cg/pids/bexy/job-4/pids.max", "7")
        _ = try hierarchy.create(name: "job-4", limits: jobLimits())
        let log = fs.log
        let removed = log.firstIndex(of: "rmdir /cg/pids/bexy/job-4")
        let created = log.firstIndex(of: "mkdir /cg/pids/bexy/job-4")
        #expect(removed != nil && created != nil && removed! < created!)
        #expect(fs.file("/cg/pids/bexy/job-4/pids.max") == "64")
    }

    @Test func v2StaleGroupWithTasksIsKilledThenRemoved() throws {
        let fs = pureV2Host()
        let hierarchy = try detectFake(fs)
        let dir = "/cg/system.slice/bexy.service/bexy/job-5"
        fs.addDirectory(dir)
        fs.setFile(dir + "/cgroup.kill", "")
        fs.state.withLock { $0.busyRmdirs[dir] = 2 }
        _ = try hierarchy.create(name: "job-5", limits: jobLimits())
        #expect(fs.writes.contains { $0.path == dir + "/cgroup.kill" && $0.value == "1" })
        #expect(fs.log.filter { $0 == "rmdir \(dir)" }.count == 3)
    }

    // MARK: - Stats and teardown

    @Test func v1StatsParsing() throws {
        let fs = hybridHost()
        let job = try detectFake(fs).create(name: "job-1", limits: jobLimits())
        fs.setFile("/cg/memory/process_api/abc/bexy/job-1/memory.max_usage_in_bytes", "52428800\n")
        fs.setFile("/cg/memory/process_api/abc/bexy/job-1/memory.oom_control",
                   "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
        fs.setFile("/cg/pids/bexy/job-1/pids.events", "max 17\n")
        #expect(job.stats() == CgroupStats(peakMemoryBytes: 52_428_800, oomKills: 2, pidsLimitHits: 17))
    }

    @Test func v2StatsParsing() throws {
        let fs = pureV2Host()
        let job = try detectFake(fs).create(name: "job-1", limits: jobLimits())
        let dir = "/cg/system.slice/bexy.service/bexy/job-1"
        fs.setFile(dir + "/memory.peak", "1048576\n")
        fs.setFile(dir + "/memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 1\n")
        fs.setFile(dir + "/pids.events", "max 3\n")
        #expect(job.stats() == CgroupStats(peakMemoryBytes: 1_048_576, oomKills: 1, pidsLimitHits: 3))
        fs.removeFile(dir + "/memory.peak")
        #expect(job.stats().peakMemoryBytes == nil)
    }

    @Test func destroyClosesFDsAndRemovesDirectories() throws {
        let fs = hybridHost()
        let job = try detectFake(fs).create(name: "job-9", limits: jobLimits())
        fs.state.withLock { $0.busyRmdirs["/cg/cpu/bexy/job-9"] = 2 }
        try job.destroy()
        #expect(fs.openFDs.isEmpty)
        #expect(job.joinFDs.isEmpty)
        for dir in ["/cg/memory/process_api/abc/bexy/job-9", "/cg/pids/bexy/job-9", "/cg/cpu/bexy/job-9"] {
            #expect(!fs.isDirectory(dir))
        }
        #expect(fs.isDirectory("/cg/cpu/bexy"))
        try job.destroy()
    }

    @Test func destroyGivesUpOnPersistentBusyAndReportsIt() throws {
        let fs = pureV2Host()
        let job = try detectFake(fs).create(name: "job-2", limits: jobLimits())
        let dir = "/cg/system.slice/bexy.service/bexy/job-2"
        fs.state.withLock { $0.busyRmdirs[dir] = 1000 }
        let error = jailError { try job.destroy() }
        #expect(error?.stage == "cgroup v2 rmdir")
        #expect(error?.errno == EBUSY)
        #expect(job.cloneIntoFD == nil)
        #expect(fs.openFDs.isEmpty)
        #expect(job.directories == [dir])
    }

    @Test func releasingAJobClosesItsFDs() throws {
        let fs = hybridHost()
        let hierarchy = try detectFake(fs)
        do {
            let job = try hierarchy.create(name: "job-1", limits: jobLimits())
            #expect(fs.openFDs.count == 3)
            _ = job
        }
        #expect(fs.openFDs.isEmpty)
    }

    // MARK: - The real file system

    @Test func realFileSystemNeverCreatesFiles() throws {
        let dir = temporaryDirectory(prefix: "bexy-cgtest")
        defer {
            unlink(dir + "/memory.max")
            rmdir(dir + "/sub")
            rmdir(dir)
        }
        let fs = RealCgroupFileSystem()
        #expect(throws: CgroupFileSystemError(errno: ENOENT)) { try fs.write(dir + "/memory.max", "1") }
        #expect(!fs.exists(dir + "/memory.max"))
        let fd = open(dir + "/memory.max", O_CREAT | O_WRONLY, 0o644)
        _ = Glibc.close(fd)
        try fs.write(dir + "/memory.max", "123456")
        try fs.write(dir + "/memory.max", "7")
        #expect(fs.read(dir + "/memory.max") == "7")
        #expect(fs.read(dir + "/nothing") == nil)
        try fs.mkdir(dir + "/sub")
        #expect(throws: CgroupFileSystemError(errno: EEXIST)) { try fs.mkdir(dir + "/sub") }
        let joinFD = try fs.openForJoin(dir + "/memory.max")
        #expect(fcntl(joinFD, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(joinFD, F_GETFL) & O_ACCMODE == O_WRONLY)
        fs.close(joinFD)
        let dirFD = try fs.openDirectory(dir + "/sub")
        #expect(fcntl(dirFD, F_GETFD) & FD_CLOEXEC != 0)
        fs.close(dirFD)
        #expect(throws: CgroupFileSystemError(errno: ENOTDIR)) { _ = try fs.openDirectory(dir + "/memory.max") }
        try fs.rmdir(dir + "/sub")
        #expect(!fs.exists(dir + "/sub"))
    }

    @Test(.enabled(if: getuid() == 0 && access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0,
                   "needs root and cgroup v1"))
    func realV1JobCgroup() throws {
        let fs = RealCgroupFileSystem()
        let hierarchy = try Cgroups.detect(mode: "v1")
        #expect(hierarchy.version == .v1)
        #expect(hierarchy.missingFeatures().isEmpty)
        let name = "cgtest-\(getpid())"
        let job = try hierarchy.create(name: name, limits: jobLimits(memoryBytes: 64 << 20, pids: 32, cpus: 0.5))
        let memory = job.directories[0]
        #expect(memory.hasPrefix("/sys/fs/cgroup/memory/") && memory.hasSuffix("/bexy/" + name))
        #expect(job.directories[1].hasPrefix("/sys/fs/cgroup/pids/") && job.directories[1].hasSuffix("/bexy/" + name))
        #expect(job.directories[2].hasPrefix("/sys/fs/cgroup/cpu/") && job.directories[2].hasSuffix("/bexy/" + name))
        #expect(fs.read(memory + "/memory.limit_in_bytes") == "67108864\n")
        #expect(fs.read(memory + "/memory.memsw.limit_in_bytes") == "67108864\n")
        #expect(fs.read(memory + "/memory.swappiness") == "0\n")
        #expect(fs.read(job.directories[1] + "/pids.max") == "32\n")
        #expect(fs.read(job.directories[2] + "/cpu.cfs_quota_us") == "50000\n")
        #expect(fs.read(job.directories[2] + "/cpu.cfs_period_us") == "100000\n")
        #expect(job.joinFDs.count == 3)
        #expect(job.joinFDs.allSatisfy { fcntl($0, F_GETFD) & FD_CLOEXEC != 0 })
        #expect(job.stats() == CgroupStats(peakMemoryBytes: 0, oomKills: 0, pidsLimitHits: 0))
        let directories = job.directories
        try job.destroy()
        for directory in directories {
            #expect(access(directory, F_OK) != 0)
        }
    }
}
