import TestSupport
import Testing

@testable import Jail

#if canImport(Glibc)
import Glibc
#endif

private let limits = ResourceLimits(
    wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
    fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
    tmpBytes: 1 << 20, workdirBytes: 1 << 20)

/// A job's workspace as the kernel layer plans it: where it is mounted, which ids the job runs as, and which
/// owners are refused. (That the mount works is `ContainmentTests.WorkspaceContainmentTests`.)
@Suite struct WorkspaceMountTests {
    @Test func theWorkspaceIsMovedInAfterEverythingElseAndBeforeTheRootGoesReadOnly() {
        let steps = RootFilesystem.plan(limits: limits, files: [], hostname: "box", workspace: "workspace")
        #expect(steps.suffix(2) == [.workspace("workspace"), .remountReadOnly("", noexec: false)])
        #expect(!RootFilesystem.plan(limits: limits, files: [], hostname: "box").contains(.workspace("workspace")))
    }

    @Test(arguments: ["usr", "etc", "dev", "proc", "tmp", "sandbox", "lib64", "a/b"])
    func aMountPointMayNotCoverTheRootsOwnDirectories(_ path: String) throws {
        #expect(!WorkspaceMount.isValidMountPoint(try RelativePath(path)))
    }

    @Test func theJobUserMapsToTheGivenHostIdAndTheInitStaysTheSlots() throws {
        let directory = temporaryDirectory(prefix: "slot-test")
        let slot = try IdentitySlot(directory: directory, uidBase: 3_000_000_000, count: 1)
        #expect(slot.idMap == "0 3000000000 1\n1000 3000000001 1\n")
        #expect(slot.idMap(jobUserOnHost: 64999) == "0 3000000000 1\n1000 64999 1\n")
    }

    @Test func aPlainProgramHasNoScriptInItsArgv() {
        let command = JobCommand(program: "/bin/sh", arguments: ["-c", "echo hi"])
        #expect(command.argv == ["/bin/sh", "-c", "echo hi"])
        #expect(command.script == nil)
    }

    /// Fail closed: a workspace owned by root or by an id of BEXY's slot range is never run as.
    @Test(.enabled(if: getuid() == 0, "needs root to chown"),
          arguments: [(UInt32(0), UInt32(64999)), (64999, 0), (3_000_000_001, 64999), (64999, 3_000_000_511)])
    func anOwnerThatIsRootOrASlotIdIsRefused(_ uid: UInt32, _ gid: UInt32) throws {
        let path = temporaryDirectory(prefix: "workspace-owner")
        #expect(chown(path, uid, gid) == 0)
        let mount = try WorkspaceMount(directory: try HostDirectory.open(path), mountPoint: "workspace")
        let configuration = SandboxConfiguration(uidBase: 3_000_000_000, maxSlots: 256)
        #expect(throws: JailError.self) { try mount.jobUser(outside: configuration) }
        #expect(chown(path, 64999, 64999) == 0)
        #expect(try mount.jobUser(outside: configuration) == HostDirectory.Owner(uid: 64999, gid: 64999))
    }

    @Test func aSymlinkOrDotDotBeneathTheRootIsNeverOpened() throws {
        let root = temporaryDirectory(prefix: "beneath")
        #expect(mkdir(root + "/real", 0o755) == 0)
        #expect(symlink("/etc", root + "/link") == 0)
        #expect(symlink("real", root + "/inner") == 0)
        let directory = try HostDirectory.open(root)
        _ = try directory.directory(beneath: "real")
        for path: RelativePath in ["link", "inner", "missing"] {
            #expect(throws: JailError.self) { try directory.directory(beneath: path) }
        }
        #expect(throws: JailError.self) { try HostDirectory.open(root + "/link") }
    }
}
