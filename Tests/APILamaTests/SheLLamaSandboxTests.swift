import APILama
import Contracts
import Foundation
import ServiceKit
import SheLLama
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SheLLama's commands in real sandboxes: gateway -> SheLLama -> the `bexy-server` binary's
/// `/workspace/execute` -> a BEXY job with the workspace at `/workspace`.
///
/// Each test returns early (passing, with a note on standard error) when this build's BEXY has no
/// `/workspace/execute` yet.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct SheLLamaSandboxTests {
    /// The whole stack over a fresh workspace root with `default` and `other` (holding `secret.txt`).
    struct Stack {
        let gateway: Gateway
        let token: String
        let workspaces: WorkspaceSettings

        func shell(_ command: String, timeout: Int = 10) async throws -> Reply {
            try await gateway.send(.POST, "/api/shellama/shell", token: token,
                                   body: #"{"command":\#(JSONValue.string(command).serialized),"timeout":\#(timeout)}"#)
        }
    }

    static func withStack(_ body: (Stack) async throws -> Void) async throws {
        let directory = temporaryDirectory(prefix: "shellama-sandbox")
        let workspaces = WorkspaceSettings(root: directory + "/workspaces")
        try workspaces.createWorkspace()
        try workspaces.createWorkspace("other")
        try "other's secret\n".write(toFile: workspaces.root + "/other/secret.txt", atomically: false, encoding: .utf8)
        let bexy = try await BexyServerProcess.start(internalToken: Gateway.internalToken, settings: ["SHELLAMA_ROOT": workspaces.root])
        defer { bexy.stop() }
        let configuration = SheLLamaConfiguration(host: "127.0.0.1", port: 0, internalToken: Gateway.internalToken,
                                                  workspaces: workspaces, bexyURL: "http://127.0.0.1:\(bexy.port)",
                                                  gitName: "Test Author", gitEmail: "author@example.test")
        try await withLiveServer({ onRunning in
            buildSheLLamaApplication(configuration: configuration, logger: quietLogger("shellama"), onServerRunning: onRunning)
        }) { shellamaPort in
            try await withGateway(upstreams: ["bexy": bexy.port, "shellama": shellamaPort]) { gateway in
                let token = try await gateway.token(.user, name: "shell-user")
                let stack = Stack(gateway: gateway, token: token, workspaces: workspaces)
                let probe = try await stack.shell("true")
                if probe.status == 404 && probe.json?["message"]?.string?.contains("no route") == true {
                    FileHandle.standardError.write(Data("SheLLamaSandboxTests: BEXY has no /workspace/execute in this build\n".utf8))
                    return
                }
                #expect(probe.status == 200, "\(probe.text)")
                try await body(stack)
            }
        }
    }

    @Test func aCommandSeesOnlyItsWorkspaceAndItsWritesAreVisibleThroughTheFileRoutes() async throws {
        try await Self.withStack { stack in
            var hostname = [CChar](repeating: 0, count: 256)
            gethostname(&hostname, 255)
            let host = String(cString: hostname)
            let seen = try await stack.shell("hostname; id -u; ls /root 2>&1; cat /workspace/../other/secret.txt 2>&1; "
                                             + "find / -name secret.txt 2>/dev/null; env; pwd")
            let output = seen.json?["output"]?.string ?? ""
            #expect(!output.split(separator: "\n").contains(Substring(host)) || host.isEmpty, "\(output)")
            #expect(output.split(separator: "\n").dropFirst().first == "1000", "\(output)")
            #expect(!output.contains("other's secret") && !output.contains(Gateway.internalToken), "\(output)")
            #expect(output.hasSuffix("/workspace\n"), "\(output)")

            let made = try await stack.shell("mkdir -p made && echo made-in-job > made/file.txt")
            #expect(made.json?["exit_code"]?.int == 0, "\(made.text)")
            let read = try await stack.gateway.send(.GET, "/api/shellama/file?filename=made/file.txt", token: stack.token)
            #expect(read.json?["content"]?.string == "made-in-job\n", "\(read.text)")
            var info = stat()
            #expect(lstat(stack.workspaces.root + "/default/made/file.txt", &info) == 0 && info.st_uid == stack.workspaces.uid)
        }
    }

    @Test func networkForkBombsAndAHugeWriteAreContained() async throws {
        try await Self.withStack { stack in
            let network = try await stack.shell(
                "python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 53), 2)' && echo CONNECTED")
            #expect(network.json?["output"]?.string?.contains("CONNECTED") == false, "\(network.text)")
            let bomb = try await stack.shell("f() { f | f & }; f; sleep 3")
            #expect(bomb.status == 200, "\(bomb.text)")
            let big = try await stack.shell("head -c 1073741824 /dev/zero > big.bin; echo done")
            #expect(big.status == 200, "\(big.text)")
            var info = stat()
            if lstat(stack.workspaces.root + "/default/big.bin", &info) == 0 { #expect(info.st_size < 1 << 30) }
            #expect(try await stack.shell("echo alive").json?["output"]?.string == "alive\n")
        }
    }

    /// `stream: true` starts a BEXY job whose links are the gateway's; it is followed there to its result.
    @Test func aStreamedCommandIsAJobFollowedThroughTheGateway() async throws {
        try await Self.withStack { stack in
            let started = try await stack.gateway.send(.POST, "/api/shellama/shell", token: stack.token,
                                                       body: #"{"command":"echo streamed","stream":true}"#)
            #expect(started.status == 202, "\(started.text)")
            let link = try #require(started.json?["links"]?["self"]?.string, "\(started.text)")
            #expect(link.hasPrefix("/api/bexy/jobs/"))
            var state = ""
            var job: Reply?
            for _ in 0..<100 where state != "finished" {
                try await Task.sleep(for: .milliseconds(100))
                job = try await stack.gateway.send(.GET, link, token: stack.token)
                state = job?.json?["state"]?.string ?? ""
            }
            #expect(job?.json?["result"]?["stdout"]?.string == "streamed\n", "\(job?.text ?? "")")
        }
    }

    /// Hooks, `core.fsmonitor`, a pager and an external diff set by the repository never run.
    @Test func aHostileRepositoryRunsNothing() async throws {
        try await Self.withStack { stack in
            #expect(try await stack.gateway.send(.POST, "/api/shellama/git/init", token: stack.token, body: "{}").status == 200)
            let plant = """
                mkdir -p .git/hooks && printf '#!/bin/sh\\ntouch /workspace/HOOK_RAN\\n' > .git/hooks/pre-commit && \
                chmod +x .git/hooks/pre-commit && cp .git/hooks/pre-commit .git/hooks/post-commit && \
                git config core.fsmonitor 'touch /workspace/FSMONITOR_RAN; false' && \
                git config core.pager 'touch /workspace/PAGER_RAN; cat' && \
                git config diff.external /workspace/ext.sh && printf '#!/bin/sh\\ntouch /workspace/DIFF_RAN\\n' > ext.sh && \
                chmod +x ext.sh && echo one > a.txt
                """
            #expect(try await stack.shell(plant).json?["exit_code"]?.int == 0)
            let commit = try await stack.gateway.send(.POST, "/api/shellama/git/commit", token: stack.token,
                                                      body: #"{"message":"first"}"#)
            #expect(commit.json?["status"]?.string == "success", "\(commit.text)")
            #expect(try await stack.shell("echo two > a.txt").status == 200)
            for path in ["/api/shellama/git/status", "/api/shellama/git/diff", "/api/shellama/git/log"] {
                #expect(try await stack.gateway.send(.GET, path, token: stack.token).status == 200)
            }
            let log = try await stack.gateway.send(.GET, "/api/shellama/git/log", token: stack.token)
            #expect(log.json?["commits"]?[0]?["author"]?.string == "Test Author", "\(log.text)")
            for marker in ["HOOK_RAN", "FSMONITOR_RAN", "PAGER_RAN", "DIFF_RAN"] {
                #expect(!FileManager.default.fileExists(atPath: stack.workspaces.root + "/default/" + marker), "\(marker)")
            }
        }
    }
}
