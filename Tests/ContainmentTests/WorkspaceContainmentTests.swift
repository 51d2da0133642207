import Bexy
import Contracts
import Jail
import JailWarm
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Workspace commands in real sandboxes: the workspace is the one directory of the host a job sees, read-write, as
/// its owner; everything else is `strict`'s jail, and a hostile repository's git hooks stay inside it.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct WorkspaceContainmentTests {
    /// The workspaces' owner (SheLLama's default `SHELLAMA_UID`/`SHELLAMA_GID`).
    static let owner: UInt32 = 64999

    /// A fresh root with the workspaces `names`, each owned by `owner`, mode 0770.
    static func makeRoot(_ names: [String]) -> WorkspaceRoot {
        let path = temporaryDirectory(prefix: "shellama-root")
        chmod(path, 0o711)
        for name in names {
            mkdir(path + "/" + name, 0o770)
            chown(path + "/" + name, owner, owner)
        }
        return WorkspaceRoot(path: path)
    }

    static let root = makeRoot(["main", "sibling", "git", "hostile", "limits"])

    static let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"),
                               spool: Harness.spool, workspaces: root)

    static let author = ["GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
                         "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.com"]

    /// Run `command` with `/bin/sh -c` in `workspace`.
    static func run(_ command: String, in workspace: String = "main", cwd: String? = nil,
                    environment: [String: String] = [:], overrides: LimitOverrides = LimitOverrides()) throws
        -> ExecutionResult {
        let request = ExecutionRequest(
            workspace: WorkspaceCommand(workspace: workspace, program: .shell(command), workingDirectory: cwd,
                                        environment: environment),
            overrides: overrides, requester: "shellama-tests", frontDoor: .shellama)
        let result = try engine.execute(request)
        #expect(result.sandbox == .cold || result.status == .sandboxError, "a workspace job always runs cold")
        return result
    }

    static func path(_ workspace: String, _ file: String) -> String { root.path + "/" + workspace + "/" + file }

    /// `[uid, gid]` of `path`, nil if it does not exist.
    static func owner(of path: String) -> [UInt32]? {
        var info = stat()
        return lstat(path, &info) == 0 ? [info.st_uid, info.st_gid] : nil
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        fchmod(fd, mode)
        fchown(fd, owner, owner)
        close(fd)
    }

    @Test func echoRunsAndIsAuditedAsSheLLamas() throws {
        let result = try Self.run("echo hi")
        #expect(result.status == .ok, "\(result)")
        #expect(result.stdout == "hi\n")
        let record = try #require(try Harness.auditRecord(result.id))
        #expect(record.frontDoor == .shellama)
        #expect(record.code == "echo hi")
        #expect(record.requester == "shellama-tests")
        #expect(record.hostUid == Int(Self.owner))
    }

    @Test func theJobSeesTheSandboxesHostnameAndRunsAsUser1000InTheWorkspace() throws {
        mkdir(Self.path("main", "sub"), 0o770)
        chown(Self.path("main", "sub"), Self.owner, Self.owner)
        let result = try Self.run("hostname; id -u; id -g; pwd; echo $HOME", cwd: "sub")
        #expect(result.stdout == "bexy\n1000\n1000\n/workspace/sub\n/sandbox\n", "\(result)")
    }

    @Test func filesCrossBetweenHostAndJobOwnedByTheWorkspacesOwner() throws {
        Self.write(Self.path("main", "from-host.txt"), "host\n")
        let result = try Self.run("echo job >> from-host.txt && echo new > from-job.txt && mkdir -p made/dir && ls -n from-host.txt")
        #expect(result.status == .ok, "\(result)")
        #expect(Harness.readText(Self.path("main", "from-host.txt")) == "host\njob\n")
        #expect(Harness.readText(Self.path("main", "from-job.txt")) == "new\n")
        for file in ["from-job.txt", "made", "made/dir"] {
            let owner = try #require(Self.owner(of: Self.path("main", file)))
            #expect(owner == [Self.owner, Self.owner], "\(file)")
        }
        #expect(result.stdout.contains(" 1000 1000 "), "the host's owner is the job's own user: \(result.stdout)")
    }

    @Test func theHostsRootAndOtherWorkspacesAreInvisible() throws {
        Self.write(Self.path("sibling", "sibling-secret"), "secret\n")
        let script = """
            test -e /root && echo root-visible
            test -e \(Self.root.path) && echo host-root-visible
            ls -a /workspace/.. | grep -x sibling
            find / \\( -path /usr -o -path /proc \\) -prune -o -name 'sibling-secret' -print 2>/dev/null
            grep -F '\(Self.root.path)' /proc/self/mountinfo | grep -v ' /workspace ' | grep sibling
            cat /workspace/../sibling/sibling-secret 2>/dev/null
            echo done
            """
        let result = try Self.run(script)
        #expect(result.stdout == "done\n", "\(result)")
    }

    @Test func theWorkspaceIsReadWriteNosuidNodevAndTheRestReadOnly() throws {
        let result = try Self.run("""
            grep ' /workspace ' /proc/self/mountinfo | cut -d' ' -f6
            touch /usr/x /etc/x /x 2>/dev/null || echo read-only
            """)
        let options = result.stdout.split(separator: "\n").first.map { Set($0.split(separator: ",")) } ?? []
        #expect(options.isSuperset(of: ["rw", "nosuid", "nodev"]) && !options.contains("noexec"), "\(result)")
        #expect(result.stdout.hasSuffix("read-only\n"))
    }

    /// A symlink a job plants is never followed by the next request's `cwd` (nor is a `..` escape accepted).
    @Test func aSymlinkPlantedByAJobIsRefusedAsTheNextWorkingDirectory() throws {
        #expect(try Self.run("ln -sfn /etc planted && ln -sfn .. up && echo ok").stdout == "ok\n")
        for cwd in ["planted", "up", "up/sibling"] {
            #expect(throws: RequestRefusal.self, "\(cwd)") {
                try Self.engine.prepare(ExecutionRequest(
                    workspace: WorkspaceCommand(workspace: "main", program: .shell("pwd"), workingDirectory: cwd),
                    requester: "t", frontDoor: .shellama))
            }
        }
    }

    @Test func plainProgramsAndWorkspaceJobsNeverRunWarm() throws {
        let profile = try Self.engine.profiles.profile(named: "workspace")
        let pool = WarmPool(configuration: WarmPoolConfiguration(zygotePath: WarmPoolConfiguration.siblingZygotePath),
                            sandbox: try Sandbox())
        defer { pool.shutdown() }
        var job = JobSpec(command: JobCommand(program: "/bin/sh", arguments: ["-c", "true"]), environment: [:],
                          files: [], stdin: .empty, limits: profile.limits, hostname: "bexy",
                          seccomp: try SeccompFilter(policy: profile.seccomp, notifyOnKill: false))
        #expect(!pool.prewarm(job), "a plain program")
        job.command = JobCommand(interpreter: "/usr/bin/python3", interpreterFlags: [], script: "main.py",
                                 scriptArguments: [])
        job.files = [JobFile(path: "main.py", contents: [])]
        job.workspace = try WorkspaceMount(directory: try HostDirectory.open(Self.root.path + "/main"),
                                           mountPoint: "workspace")
        #expect(!pool.prewarm(job), "a script job with a workspace")
    }

    /// Fail closed: a workspace owned by root (or by a slot id) is never run as; nothing runs, the result says why.
    @Test func aWorkspaceOwnedByRootIsASandboxError() throws {
        mkdir(Self.root.path + "/root-owned", 0o770)
        let result = try Self.run("touch /workspace/ran", in: "root-owned")
        #expect(result.status == .sandboxError, "\(result)")
        #expect(result.errorMessage?.contains("owned by uid 0") == true, "\(result)")
        #expect(Self.owner(of: Self.path("root-owned", "ran")) == nil)
    }

    @Test func thereIsNoNetwork() throws {
        let result = try Self.run("""
            python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), 2)" 2>&1 | tail -1
            cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '
            """)
        #expect(result.stdout.contains("OSError") || result.stdout.contains("unreachable"), "\(result)")
        #expect(result.stdout.hasSuffix("lo\n"), "only a loopback: \(result.stdout)")
    }

    @Test func aForkBombIsContainedAndTheNextCommandRuns() throws {
        var overrides = LimitOverrides()
        overrides.timeoutMs = 3000
        let bomb = try Self.run("bomb() { bomb | bomb & }; bomb; sleep 30", in: "limits", overrides: overrides)
        #expect(bomb.status != .ok, "\(bomb)")
        #expect(try Self.run("echo after", in: "limits").stdout == "after\n")
    }

    /// RLIMIT_FSIZE (the profile's `file_size_bytes`, 1 MiB) stops one file; see the README for the total.
    @Test func aOneGigabyteWriteStopsAtTheFileSizeLimit() throws {
        let result = try Self.run("dd if=/dev/zero of=big bs=1M count=1024 2>&1; echo exit=$?", in: "limits")
        var info = stat()
        #expect(stat(Self.path("limits", "big"), &info) == 0)
        #expect(info.st_size <= 1 << 20, "\(info.st_size) bytes written")
        #expect(result.stdout.contains("exit=153"), "dd killed by SIGXFSZ: \(result.stdout)")
    }

    @Test func gitInitAddAndCommitWorkWithAnAuthorFromTheEnvironment() throws {
        let result = try Self.run("""
            git init -q && echo content > a.txt && git add a.txt && git commit -q -m first \
            && git log --format='%an <%ae> %s'
            """, in: "git", environment: Self.author)
        #expect(result.status == .ok, "\(result)")
        #expect(result.stdout == "Test Author <author@example.com> first\n")
        let owner = try #require(Self.owner(of: Self.path("git", ".git/HEAD")))
        #expect(owner == [Self.owner, Self.owner])
    }

    /// A repository whose hooks, fsmonitor and external diff try to write to a host path outside the workspace:
    /// they run (their in-workspace markers appear), but only inside the sandbox (the host path stays empty).
    @Test func aHostileRepositoryOnlyEverRunsInsideTheSandbox() throws {
        let setup = try Self.run("git init -q && echo a > f && git add f && git commit -q -m init",
                                 in: "hostile", environment: Self.author)
        #expect(setup.status == .ok, "\(setup)")
        let hostMarkers = temporaryDirectory(prefix: "hostile-markers")
        func payload(_ name: String) -> String {
            "#!/bin/sh\nmkdir -p \(hostMarkers); touch \(hostMarkers)/\(name); touch /workspace/\(name)-ran; exit 0\n"
        }
        Self.write(Self.path("hostile", ".git/hooks/pre-commit"), payload("hook"), mode: 0o755)
        Self.write(Self.path("hostile", ".git/fsmonitor.sh"), payload("fsmonitor"), mode: 0o755)
        Self.write(Self.path("hostile", ".git/external-diff.sh"), payload("diff"), mode: 0o755)
        Self.write(Self.path("hostile", ".git/config"), """
            [core]
            \trepositoryformatversion = 0
            \tfilemode = true
            \tbare = false
            \tfsmonitor = /workspace/.git/fsmonitor.sh
            [diff]
            \texternal = /workspace/.git/external-diff.sh

            """)
        let result = try Self.run("echo b >> f; git status >/dev/null 2>&1; git diff >/dev/null 2>&1; "
                                  + "git commit -q -am two >/dev/null 2>&1; ls", in: "hostile", environment: Self.author)
        for name in ["hook", "fsmonitor", "diff"] {
            #expect(result.stdout.contains("\(name)-ran"), "\(name) ran in the sandbox: \(result)")
        }
        #expect(Harness.list(hostMarkers).isEmpty, "nothing reached the host path \(hostMarkers)")
    }
}
