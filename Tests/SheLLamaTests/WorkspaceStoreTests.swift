import Foundation
import SheLLama
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The file store on a real file system: what a job may plant in a workspace (symbolic links, hard links, FIFOs)
/// is refused, writes are atomic and owned by the workspace's owner, and the caps hold.
@Suite struct WorkspaceStoreTests {
    @Test func aWrittenFileReadsBackOwnedByTheWorkspaceOwnerWithNoTemporaryLeft() throws {
        let world = try SheLLamaWorld()
        let workspace = try world.store.open("default")
        try workspace.createDirectory(WorkspacePath("src/lib"))
        #expect(try workspace.write(WorkspacePath("src/lib/a.txt"), content: Array("one".utf8), overwrite: false) == false)
        #expect(try workspace.read(WorkspacePath("src/lib/a.txt")) == Array("one".utf8))
        #expect(throws: WorkspaceError(.exists, path: "src/lib/a.txt",
                                       "'src/lib/a.txt' already exists; send overwrite: true to replace it")) {
            try workspace.write(WorkspacePath("src/lib/a.txt"), content: [], overwrite: false)
        }
        #expect(try workspace.write(WorkspacePath("src/lib/a.txt"), content: Array("two".utf8), overwrite: true))
        #expect(try workspace.read(WorkspacePath("src/lib/a.txt")) == Array("two".utf8))
        for path in ["src", "src/lib", "src/lib/a.txt"] {
            var info = stat()
            #expect(lstat(world.workspace + "/" + path, &info) == 0)
            #expect(info.st_uid == world.settings.uid && info.st_gid == world.settings.gid, "\(path)")
        }
        #expect(try workspace.list(WorkspacePath("src/lib")).map(\.name) == ["a.txt"])
    }

    @Test func symbolicLinksAnywhereOnThePathAreRefusedAndNeverFollowed() throws {
        let world = try SheLLamaWorld()
        let workspace = try world.store.open("default")
        #expect(symlink(world.canaryPath, world.workspace + "/link") == 0)
        #expect(symlink(world.directory + "/outside", world.workspace + "/dirlink") == 0)
        #expect(symlink("inside.txt", world.workspace + "/relative") == 0)
        for path in ["link", "dirlink/canary.txt", "relative"] {
            #expect(throws: WorkspaceError.self) { try workspace.read(WorkspacePath(path)) }
            #expect(throws: WorkspaceError.self) { try workspace.write(WorkspacePath(path), content: [1], overwrite: true) }
            #expect(throws: WorkspaceError.self) { try workspace.deleteFile(WorkspacePath(path)) }
        }
        #expect(throws: WorkspaceError.self) { try workspace.list(WorkspacePath("dirlink")) }
        #expect(throws: WorkspaceError.self) { try workspace.createDirectory(WorkspacePath("dirlink/new")) }
        #expect(throws: WorkspaceError.self) { try workspace.deleteDirectory(WorkspacePath("dirlink"), recursive: true) }
        do {
            _ = try workspace.read(WorkspacePath("dirlink/canary.txt"))
        } catch {
            #expect(error.code == .symbolicLink && error.message.contains("dirlink/canary.txt"))
        }
        world.expectCanariesIntact()
    }

    @Test func aHardLinkToAnOutsideFileIsRefusedForReadingWritingAndDeleting() throws {
        let world = try SheLLamaWorld()
        let workspace = try world.store.open("default")
        #expect(link(world.canaryPath, world.workspace + "/hard") == 0)
        do {
            _ = try workspace.read(WorkspacePath("hard"))
            Issue.record("a hard link was read")
        } catch {
            #expect(error.code == .hardLink && error.message.contains("hard links"))
        }
        #expect(throws: WorkspaceError.self) { try workspace.write(WorkspacePath("hard"), content: [1], overwrite: true) }
        #expect(throws: WorkspaceError.self) { try workspace.deleteFile(WorkspacePath("hard")) }
        world.expectCanariesIntact()
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let world = try SheLLamaWorld()
        let workspace = try world.store.open("default")
        #expect(mkfifo(world.workspace + "/pipe", 0o666) == 0)
        do {
            _ = try workspace.read(WorkspacePath("pipe"))
            Issue.record("a FIFO was read")
        } catch {
            #expect(error.code == .unsupportedType)
        }
    }

    @Test func theCapsRefuseALargeFileTooManyFilesAndAFullWorkspace() throws {
        let world = try SheLLamaWorld(limits: WorkspaceLimits(maxFileBytes: 10, maxFiles: 3, maxWorkspaceBytes: 15))
        let workspace = try world.store.open("default")
        #expect(throws: WorkspaceError.self) { try workspace.write(WorkspacePath("big"), content: Array(repeating: 0, count: 11), overwrite: false) }
        try workspace.write(WorkspacePath("a"), content: Array(repeating: 1, count: 10), overwrite: false)
        do {
            try workspace.write(WorkspacePath("b"), content: Array(repeating: 1, count: 6), overwrite: false)
            Issue.record("the workspace byte cap did not hold")
        } catch {
            #expect(error.code == .workspaceFull)
        }
        try workspace.write(WorkspacePath("b"), content: [1], overwrite: false)
        try workspace.createDirectory(WorkspacePath("c"))
        do {
            try workspace.write(WorkspacePath("d"), content: [1], overwrite: false)
            Issue.record("the file count cap did not hold")
        } catch {
            #expect(error.code == .tooManyFiles)
        }
        #expect(try workspace.list(.top).map(\.name) == ["a", "b", "c"])
    }

    @Test func recursiveDeletionRemovesLinksInsideButNothingTheyPointAt() throws {
        let world = try SheLLamaWorld()
        let workspace = try world.store.open("default")
        try workspace.createDirectory(WorkspacePath("tree/deep"))
        try workspace.write(WorkspacePath("tree/deep/f"), content: [1], overwrite: false)
        #expect(symlink(world.directory + "/outside", world.workspace + "/tree/out") == 0)
        #expect(symlink(world.canaryPath, world.workspace + "/tree/deep/canary") == 0)
        #expect(throws: WorkspaceError.self) { try workspace.deleteDirectory(WorkspacePath("tree"), recursive: false) }
        try workspace.deleteDirectory(WorkspacePath("tree"), recursive: true)
        #expect(!FileManager.default.fileExists(atPath: world.workspace + "/tree"))
        #expect(throws: WorkspaceError.self) { try workspace.deleteDirectory(.top, recursive: true) }
        world.expectCanariesIntact()
    }

    @Test func aWorkspaceIsNamedByTheContractsRuleAndMustExist() throws {
        let world = try SheLLamaWorld()
        for name in ["..", ".", "", "-x", "a/b", "x%2fy", String(repeating: "a", count: 65)] {
            #expect(throws: WorkspaceError.self) { try world.store.open(name) }
        }
        do {
            _ = try world.store.open("missing")
        } catch {
            #expect(error.code == .workspaceNotFound)
        }
        #expect(symlink(world.directory + "/outside", world.settings.root + "/linked") == 0)
        #expect(throws: WorkspaceError.self) { try world.store.open("linked") }
    }
}
