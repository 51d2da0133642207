import BexyAudit
import Contracts
import FoundationEssentials
import Jail
import TestSupport
import Testing

@testable import Bexy

#if canImport(Glibc)
import Glibc
#endif

/// Helpers of these tests: a private audit spool, whole files.
private enum Fixture {
    static let spool: AuditSpool = try! AuditSpool(path: temporaryDirectory(prefix: "workspace-tests") + "/audit.db")

    static func readText(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    static func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// A workspace command's checks before anything runs: its fields, the workspace and working directory on the file
/// system (resolved beneath the root, never through a symlink), the profile, and what the engine would run.
@Suite struct WorkspaceCommandTests {
    /// A root with workspaces `default` (with `sub/dir`), a symlink `evil` -> /etc, and `default/up` -> `..`.
    static func root() -> WorkspaceRoot {
        let path = temporaryDirectory(prefix: "workspaces")
        for directory in ["default", "default/sub", "default/sub/dir", "other"] { mkdir(path + "/" + directory, 0o770) }
        symlink("/etc", path + "/evil")
        symlink("..", path + "/default/up")
        symlink("/", path + "/default/abs")
        close(open(path + "/default/file", O_CREAT | O_WRONLY, 0o644))
        return WorkspaceRoot(path: path)
    }

    static func refusal(_ command: WorkspaceCommand, root: WorkspaceRoot = root()) -> RequestRefusal? {
        let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"),
                            spool: Fixture.spool, workspaces: root)
        do throws(RequestRefusal) {
            _ = try engine.prepare(ExecutionRequest(workspace: command, requester: "t", frontDoor: .shellama))
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ["", ".", "..", ".hidden", "a/b", "-x", String(repeating: "a", count: 65), "a b", "é"])
    func aBadWorkspaceNameIsRefusedNamingWorkspace(_ name: String) {
        let refusal = Self.refusal(WorkspaceCommand(workspace: name, program: .shell("true")))
        #expect(refusal?.field == "workspace")
        #expect(refusal?.code == .invalidField)
    }

    @Test func aMissingWorkspaceIsNotFound() {
        let refusal = Self.refusal(WorkspaceCommand(workspace: "nope", program: .shell("true")))
        #expect(refusal?.field == "workspace")
        #expect(refusal?.code == .notFound)
        let noRoot = Self.refusal(WorkspaceCommand(program: .shell("true")), root: WorkspaceRoot(path: "/nonexistent/x"))
        #expect(noRoot?.code == .notFound)
    }

    @Test func aWorkspaceThatIsASymlinkIsRefused() {
        let refusal = Self.refusal(WorkspaceCommand(workspace: "evil", program: .shell("true")))
        #expect(refusal?.field == "workspace")
        #expect(refusal?.code == .invalidField)
    }

    @Test(arguments: ["..", "../other", "/etc", "sub/../..", "up", "up/other", "abs", "abs/etc", "missing", "file",
                      "sub//dir", "a\u{0}b"])
    func aWorkingDirectoryThatEscapesOrIsNoDirectoryIsRefusedNamingCwd(_ cwd: String) {
        let refusal = Self.refusal(WorkspaceCommand(program: .shell("true"), workingDirectory: cwd))
        #expect(refusal?.field == "cwd", "\(cwd): \(String(describing: refusal))")
        #expect(refusal?.code == .invalidField)
    }

    @Test(arguments: [nil, "", ".", "sub", "sub/dir"])
    func aWorkingDirectoryBeneathTheWorkspaceIsAccepted(_ cwd: String?) {
        #expect(Self.refusal(WorkspaceCommand(program: .shell("pwd"), workingDirectory: cwd)) == nil)
    }

    @Test(arguments: ["PATH", "HOME", "LD_PRELOAD", "LD_LIBRARY_PATH", "1X", "A-B", "", "A B"])
    func aForbiddenOrMalformedVariableIsRefusedNamingIt(_ name: String) {
        let refusal = Self.refusal(WorkspaceCommand(program: .shell("true"), environment: [name: "x"]))
        #expect(refusal?.field == "env.\(name)")
    }

    @Test func programsMustBeNonEmptyAndWithoutNul() {
        #expect(Self.refusal(WorkspaceCommand(program: .shell("")))?.field == "command")
        #expect(Self.refusal(WorkspaceCommand(program: .argv([])))?.field == "argv")
        #expect(Self.refusal(WorkspaceCommand(program: .argv(["git", "a\u{0}"])))?.field == "argv[1]")
    }

    @Test func aProfileWithoutAMountPointIsRefusedNamingProfile() throws {
        let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"),
                            spool: Fixture.spool, workspaces: Self.root())
        #expect(throws: RequestRefusal(field: "profile", message: "the strict profile has no `workspace` mount point",
                                       hint: "use the workspace profile")) {
            try engine.prepare(ExecutionRequest(workspace: WorkspaceCommand(program: .shell("true")), profile: "strict",
                                                requester: "t", frontDoor: .shellama))
        }
    }

    @Test func withoutAWorkspaceRootWorkspaceCommandsAreNotAllowed() throws {
        let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), spool: Fixture.spool)
        #expect(throws: RequestRefusal.self) {
            try engine.prepare(ExecutionRequest(workspace: WorkspaceCommand(program: .shell("true")),
                                                requester: "t", frontDoor: .shellama))
        }
    }

    @Test func theJobRunsTheShellInTheWorkspaceWithTheAddedEnvironment() throws {
        let root = Self.root()
        let profile = try ProfileStore(directory: TestHost.repositoryRoot + "/profiles").profile(named: "workspace")
        #expect(profile.workspace == "workspace")
        let command = WorkspaceCommand(program: .argv(["git", "commit", "-m", "it's"]), workingDirectory: "sub",
                                       environment: ["GIT_AUTHOR_NAME": "A"])
        let request = ExecutionRequest(workspace: command, requester: "t", frontDoor: .shellama)
        #expect(request.code == Array("git commit -m 'it'\\''s'".utf8))
        let mount = try root.mount(command, workingDirectory: "sub", at: "workspace")
        let job = Engine.jobSpec(request, profile: profile, limits: profile.limits,
                                 filter: try SeccompFilter(policy: profile.seccomp, notifyOnKill: false), workspace: mount)
        #expect(job.command.argv == ["/bin/sh", "-c", "exec \"$@\"", "sh", "git", "commit", "-m", "it's"])
        #expect(job.environment["GIT_AUTHOR_NAME"] == "A")
        #expect(job.environment["HOME"] == "/sandbox")
        #expect(job.files.isEmpty)
        #expect(job.workspace?.jobWorkingDirectory == "/workspace/sub")
        let shell = Engine.jobSpec(ExecutionRequest(workspace: WorkspaceCommand(program: .shell("echo hi")),
                                                    requester: "t", frontDoor: .shellama),
                                   profile: profile, limits: profile.limits,
                                   filter: try SeccompFilter(policy: profile.seccomp, notifyOnKill: false))
        #expect(shell.command.argv == ["/bin/sh", "-c", "echo hi"])
    }

    @Test func theDefaultRootIsTheCentralStateDirectorysWorkspaces() throws {
        #expect(try BexySettings(values: ["HOME": "/home/u"]).workspaceRoot == WorkspaceRoot(path: "/home/u/.pylama/workspaces"))
        #expect(try BexySettings(values: ["SHELLAMA_ROOT": "/srv/ws"]).workspaceRoot == WorkspaceRoot(path: "/srv/ws"))
        #expect(throws: BexySettingsError.self) { try BexySettings(values: ["SHELLAMA_ROOT": "relative"]) }
    }

    @Test(arguments: ["workspace", "/usr", "/a/b", "/", "/tmp"])
    func aProfilesWorkspaceKeyMustBeAFreeTopLevelDirectory(_ value: String) throws {
        let directory = temporaryDirectory(prefix: "bexy-profiles")
        mkdir(directory + "/seccomp", 0o755)
        let source = try #require(Fixture.readText(TestHost.repositoryRoot + "/profiles/workspace.json"))
        let policy = try #require(Fixture.readText(TestHost.repositoryRoot + "/profiles/seccomp/python.json"))
        try Fixture.write(directory + "/seccomp/python.json", policy)
        try Fixture.write(directory + "/workspace.json",
                          source.replacing(#""workspace": "/workspace""#, with: #""workspace": "\#(value)""#))
        #expect(throws: ProfileError.self) { try ProfileStore(directory: directory).profile(named: "workspace") }
    }
}
