import Testing

@testable import Jail

// MARK: - Fixtures

private let limits = ResourceLimits(
    wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
    fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
    tmpBytes: 1 << 20, workdirBytes: 3 << 20)

/// Debian 12: /bin, /sbin, /lib, /lib64 are links into /usr; ld.so.cache on a noatime mount.
private let mergedUsrHost = HostLayout(
    systemEntries: [
        .directory("usr", lockedFlags: 0),
        .link("bin", target: "usr/bin"),
        .link("sbin", target: "usr/sbin"),
        .link("lib", target: "usr/lib"),
        .link("lib64", target: "usr/lib64"),
    ],
    ldCacheFlags: 1024)

/// An older split host: real directories, one on a noexec mount, and no ld.so.cache.
private let splitHost = HostLayout(
    systemEntries: [
        .directory("usr", lockedFlags: 0),
        .directory("bin", lockedFlags: 8),
        .directory("sbin", lockedFlags: 0),
        .directory("lib", lockedFlags: 0),
        .directory("lib32", lockedFlags: 0),
        .directory("lib64", lockedFlags: 0),
    ],
    ldCacheFlags: nil)

private let jobFiles = [
    JobFile(path: "main.py", contents: Array("print(1)\n".utf8)),
    JobFile(path: "data/a.txt", contents: Array("a".utf8)),
    JobFile(path: "data/sub/run.sh", contents: Array("#!/bin/sh\n".utf8), executable: true),
    JobFile(path: "data/b.txt", contents: [0, 1, 2]),
    JobFile(path: "other/c.txt", contents: []),
]

private func plan(_ host: HostLayout, files: [JobFile] = jobFiles) throws -> [MountStep] {
    RootFilesystem.plan(limits: limits, files: files, hostname: "box", host: host)
}

/// The index of `step` in `steps`, recording an issue when it is missing.
private func position(of step: MountStep, in steps: [MountStep],
                      sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    guard let index = steps.firstIndex(of: step) else {
        Issue.record("missing step \(step)", sourceLocation: sourceLocation)
        return -1
    }
    #expect(steps.lastIndex(of: step) == index, "step \(step) appears more than once", sourceLocation: sourceLocation)
    return index
}

/// The path a step creates or mounts on (nil for steps that have none).
private func target(of step: MountStep) -> String? {
    switch step {
    case .directory(let path, _, _): return path
    case .bindReadOnly(_, let target, _, _): return target
    case .bindDevice(_, let target): return target
    case .tmpfs(let path, _, _, _, _): return path
    case .proc(let path): return path
    case .symlink(_, let path): return path
    case .file(let path, _, _, _): return path
    case .remountReadOnly(let path, _): return path
    case .workspace(let path): return path
    }
}

private let devTmpfs = MountStep.tmpfs("dev", options: "size=64k,nr_inodes=64,mode=0755", mode: 0o755,
                                       ownedByJob: false, noexec: true)
private let shmTmpfs = MountStep.tmpfs("dev/shm", options: "size=1048576,mode=1777", mode: 0o1777,
                                       ownedByJob: false, noexec: true)
private let devReadOnly = MountStep.remountReadOnly("dev", noexec: true)
private let procMount = MountStep.proc("proc")
private let tmpTmpfs = MountStep.tmpfs("tmp", options: "size=1048576,mode=1777", mode: 0o1777, ownedByJob: false,
                                       noexec: false)
private let workTmpfs = MountStep.tmpfs("sandbox", options: "size=3145728,mode=0755", mode: 0o755, ownedByJob: true,
                                        noexec: false)
private let rootReadOnly = MountStep.remountReadOnly("", noexec: false)

// MARK: - Tests

@Suite struct RootFilesystemTests {
    static let hosts = [("merged /usr", mergedUsrHost), ("split", splitHost)]

    @Test(arguments: hosts)
    func hostSystemEntriesComeFirstInHostOrder(name: String, host: HostLayout) throws {
        let steps = try plan(host)
        let expected: [MountStep] = host.systemEntries.map {
            switch $0 {
            case .link(let name, let target): return .symlink(target: target, path: name)
            case .directory(let name, let flags):
                return .bindReadOnly(source: "/" + name, target: name, isDirectory: true, lockedFlags: flags)
            }
        }
        #expect(Array(steps.prefix(expected.count)) == expected)
        // Nothing else of the host is bound in but /etc/ld.so.cache (and the five devices).
        let hostBinds = steps.compactMap { step -> String? in
            if case .bindReadOnly(let source, _, _, _) = step { return source }
            return nil
        }
        let directories = host.systemEntries.compactMap { entry -> String? in
            if case .directory(let name, _) = entry { return "/" + name }
            return nil
        }
        #expect(hostBinds == directories + (host.ldCacheFlags == nil ? [] : ["/etc/ld.so.cache"]))
    }

    @Test func mergedUsrHostGetsLinksNotBinds() throws {
        let steps = try plan(mergedUsrHost)
        #expect(steps[0] == .bindReadOnly(source: "/usr", target: "usr", isDirectory: true, lockedFlags: 0))
        #expect(steps[1] == .symlink(target: "usr/bin", path: "bin"))
        #expect(steps[4] == .symlink(target: "usr/lib64", path: "lib64"))
        #expect(!steps.contains(.bindReadOnly(source: "/bin", target: "bin", isDirectory: true, lockedFlags: 0)))
    }

    @Test func splitHostKeepsEachDirectorysLockedFlags() throws {
        let steps = try plan(splitHost)
        #expect(steps[1] == .bindReadOnly(source: "/bin", target: "bin", isDirectory: true, lockedFlags: 8))
        #expect(steps.contains(.bindReadOnly(source: "/lib32", target: "lib32", isDirectory: true, lockedFlags: 0)))
        #expect(!steps.contains { if case .symlink(_, let path) = $0 { return !path.hasPrefix("dev/") } else { return false } })
    }

    @Test(arguments: hosts)
    func etcIsSynthesizedAfterTheSystemEntries(name: String, host: HostLayout) throws {
        let steps = try plan(host)
        let etc = position(of: .directory("etc", mode: 0o755, ownedByJob: false), in: steps)
        #expect(etc == host.systemEntries.count)
        let passwd = position(of: .file("etc/passwd", contents: Array(RootFilesystem.passwd.utf8), mode: 0o644,
                                        ownedByJob: false), in: steps)
        let group = position(of: .file("etc/group", contents: Array(RootFilesystem.group.utf8), mode: 0o644,
                                       ownedByJob: false), in: steps)
        let hostname = position(of: .file("etc/hostname", contents: Array("box\n".utf8), mode: 0o644,
                                          ownedByJob: false), in: steps)
        let dev = position(of: devTmpfs, in: steps)
        #expect(etc < passwd && passwd < group && group < hostname && hostname < dev)
        let cache = steps.firstIndex(of: .bindReadOnly(source: "/etc/ld.so.cache", target: "etc/ld.so.cache",
                                                       isDirectory: false, lockedFlags: host.ldCacheFlags ?? 0))
        if host.ldCacheFlags != nil {
            let cache = try #require(cache)
            #expect(hostname < cache && cache < dev)
        } else {
            #expect(cache == nil)
        }
        // Every etc/ step sits between the etc directory and /dev.
        for (index, step) in steps.enumerated() where target(of: step)?.hasPrefix("etc/") == true {
            #expect(index > etc && index < dev, "\(step) is out of the /etc block")
        }
    }

    @Test(arguments: hosts)
    func devHasExactlyTheFiveDevicesAndTheFdLinks(name: String, host: HostLayout) throws {
        let steps = try plan(host)
        let dev = position(of: devTmpfs, in: steps)
        let shm = position(of: shmTmpfs, in: steps)
        let devRO = position(of: devReadOnly, in: steps)
        let devices = steps.compactMap { step -> MountStep? in
            if case .bindDevice = step { return step }
            return nil
        }
        #expect(devices == ["null", "zero", "full", "random", "urandom"].map {
            MountStep.bindDevice(source: "/dev/" + $0, target: "dev/" + $0)
        })
        let links: [MountStep] = [
            .symlink(target: "/proc/self/fd", path: "dev/fd"),
            .symlink(target: "/proc/self/fd/0", path: "dev/stdin"),
            .symlink(target: "/proc/self/fd/1", path: "dev/stdout"),
            .symlink(target: "/proc/self/fd/2", path: "dev/stderr"),
        ]
        for link in links {
            let index = position(of: link, in: steps)
            #expect(index > dev && index < devRO)
        }
        // Everything under dev/ is one of those, the shm tmpfs or the read-only remount, all inside the block.
        let underDev = steps.enumerated().filter { target(of: $0.element)?.hasPrefix("dev/") == true }
        #expect(underDev.count == devices.count + links.count + 1)
        for (index, step) in underDev {
            #expect(index > dev && index < devRO, "\(step) is outside the /dev block")
        }
        // /dev/shm is mounted before /dev goes read-only (a read-only /dev cannot take a new mount point).
        #expect(dev < shm && shm < devRO)
        #expect(steps.filter { $0 == devReadOnly }.count == 1)
    }

    @Test(arguments: hosts)
    func procTmpAndTheWorkdirFollowDevInOrder(name: String, host: HostLayout) throws {
        let steps = try plan(host)
        let devRO = position(of: devReadOnly, in: steps)
        let proc = position(of: procMount, in: steps)
        let tmp = position(of: tmpTmpfs, in: steps)
        let work = position(of: workTmpfs, in: steps)
        #expect(devRO < proc && proc < tmp && tmp < work)
    }

    @Test func tmpfsSizesComeFromTheLimits() throws {
        var custom = limits
        custom.tmpBytes = 12_345
        custom.workdirBytes = 67_890
        let steps = RootFilesystem.plan(limits: custom, files: [], hostname: "h", host: splitHost)
        #expect(steps.contains(.tmpfs("tmp", options: "size=12345,mode=1777", mode: 0o1777, ownedByJob: false,
                                      noexec: false)))
        #expect(steps.contains(.tmpfs("dev/shm", options: "size=12345,mode=1777", mode: 0o1777, ownedByJob: false,
                                      noexec: true)))
        #expect(steps.contains(.tmpfs("sandbox", options: "size=67890,mode=0755", mode: 0o755, ownedByJob: true,
                                      noexec: false)))
    }

    @Test(arguments: hosts)
    func jobFilesGoIntoTheWorkdirWithParentsCreatedOnce(name: String, host: HostLayout) throws {
        let steps = try plan(host)
        let work = position(of: workTmpfs, in: steps)
        let last = steps.count - 1
        let data = position(of: .directory("sandbox/data", mode: 0o755, ownedByJob: true), in: steps)
        let sub = position(of: .directory("sandbox/data/sub", mode: 0o755, ownedByJob: true), in: steps)
        let other = position(of: .directory("sandbox/other", mode: 0o755, ownedByJob: true), in: steps)
        let main = position(of: .file("sandbox/main.py", contents: Array("print(1)\n".utf8), mode: 0o644,
                                      ownedByJob: true), in: steps)
        let a = position(of: .file("sandbox/data/a.txt", contents: Array("a".utf8), mode: 0o644, ownedByJob: true),
                         in: steps)
        let run = position(of: .file("sandbox/data/sub/run.sh", contents: Array("#!/bin/sh\n".utf8), mode: 0o755,
                                     ownedByJob: true), in: steps)
        let b = position(of: .file("sandbox/data/b.txt", contents: [0, 1, 2], mode: 0o644, ownedByJob: true),
                         in: steps)
        let c = position(of: .file("sandbox/other/c.txt", contents: [], mode: 0o644, ownedByJob: true), in: steps)
        // Files in request order, each parent directory before its first file.
        #expect(work < main && main < data && data < a && a < sub && sub < run && run < b && b < other
                && other < c && c < last)
        // Exactly the three directories (no duplicates, nothing for the workdir itself).
        let jobDirectories = steps.filter { if case .directory(_, _, true) = $0 { true } else { false } }
        #expect(jobDirectories.count == 3)
        // Every job file step is owned by the job and lives under the workdir.
        for step in steps[(work + 1)..<last] {
            switch step {
            case .file(let path, _, _, let owned), .directory(let path, _, let owned):
                #expect(owned && path.hasPrefix("sandbox/"), "\(step)")
            default:
                Issue.record("unexpected step among the job files: \(step)")
            }
        }
    }

    @Test(arguments: hosts)
    func theRootIsRemountedReadOnlyLast(name: String, host: HostLayout) throws {
        for files in [[], jobFiles] {
            let steps = try plan(host, files: files)
            #expect(steps.last == rootReadOnly)
            #expect(steps.filter { $0 == rootReadOnly }.count == 1)
        }
    }

    @Test func withoutFilesTheWorkdirIsDirectlyFollowedByTheRootRemount() throws {
        let steps = try plan(mergedUsrHost, files: [])
        #expect(Array(steps.suffix(2)) == [workTmpfs, rootReadOnly])
    }

    // MARK: /etc contents

    private static func entries(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func passwdNamesTheSandboxUser() throws {
        let sandbox = try #require(Self.entries(RootFilesystem.passwd).first { $0.first == "sandbox" })
        #expect(sandbox == ["sandbox", "x", "1000", "1000", "sandbox", "/sandbox", "/usr/sbin/nologin"])
        #expect(Self.entries(RootFilesystem.passwd).allSatisfy { $0.count == 7 })
        // uid 1000 is nobody else's.
        #expect(Self.entries(RootFilesystem.passwd).filter { $0[2] == "1000" }.count == 1)
        #expect(RootFilesystem.passwd.hasSuffix("\n"))
    }

    @Test func groupNamesTheSandboxGroup() throws {
        let sandbox = try #require(Self.entries(RootFilesystem.group).first { $0.first == "sandbox" })
        #expect(sandbox == ["sandbox", "x", "1000", ""])
        #expect(Self.entries(RootFilesystem.group).allSatisfy { $0.count == 4 })
        #expect(RootFilesystem.group.hasSuffix("\n"))
    }

    @Test func theJobIdIs1000() {
        #expect(IdentitySlot.jobId == 1000)
        #expect(RootFilesystem.workdir == "/sandbox")
    }
}
