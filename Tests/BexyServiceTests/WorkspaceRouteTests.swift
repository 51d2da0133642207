import Bexy
import BexyService
import Contracts
import ServiceHTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A root with the workspace `default` (and `default/sub`) for the workspace routes' tests.
private func workspaceRoot() -> WorkspaceRoot {
    let path = temporaryDirectory(prefix: "workspace-route")
    mkdir(path + "/default", 0o770)
    mkdir(path + "/default/sub", 0o770)
    symlink("/etc", path + "/default/link")
    return WorkspaceRoot(path: path)
}

extension ScriptedServiceTests {
    /// SheLLama's internal routes: what they accept, whom and which front door they record, how they refuse.
    @Suite struct WorkspaceRoutes {
        static let caller = [("X-PyLama-Requester", "alice"), ("X-PyLama-Front-Door", "shellama")]

        @Test func aCommandRunsAndIsAuditedWithTheCallerAndSheLLamasFrontDoor() async throws {
            try await LiveBexy.run(workspaces: workspaceRoot(), script: scripts(["echo hi": .prints("hi\n")])) { server in
                let reply = try await server.post("/workspace/execute", #"{"workspace": "default", "command": "echo hi"}"#,
                                                  headers: Harness.authorized + Self.caller)
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["stdout"]?.string == "hi\n")
                let record = try #require(try server.auditRecords().first)
                #expect(record.frontDoor == .shellama)
                #expect(record.requester == "alice")
                #expect(record.code == "echo hi")
                #expect(record.profile == "workspace")
            }
        }

        @Test func anArgvRunsAsItsQuotedTextWithoutTheHeadersAsAnInternalSheLLamaCall() async throws {
            try await LiveBexy.run(workspaces: workspaceRoot(), script: scripts()) { server in
                let reply = try await server.post("/workspace/execute", #"{"argv": ["git", "commit", "-m", "a b"], "cwd": "sub"}"#)
                #expect(reply.status == 200, "\(reply)")
                let record = try #require(try server.auditRecords().first)
                #expect(record.code == "git commit -m 'a b'")
                #expect(record.frontDoor == .shellama)
                #expect(record.requester == "internal")
            }
        }

        @Test func aJobIsAcceptedAndFollowedThroughTheJobsAPI() async throws {
            try await LiveBexy.run(workspaces: workspaceRoot(), script: scripts(["ls": .prints("a\n")])) { server in
                let reply = try await server.post("/workspace/jobs", #"{"command": "ls"}"#,
                                                  headers: Harness.authorized + [("X-Forwarded-Prefix", "/api/bexy")])
                #expect(reply.status == 202, "\(reply)")
                #expect(reply.headers.first(name: "Location")?.hasPrefix("/api/bexy/jobs/") == true, "\(reply.headers)")
                let id = try #require(reply.json["id"]?.string)
                try await Harness.eventually("the job finished") {
                    try await server.get("/jobs/\(id)").json["state"]?.string == "finished"
                }
                #expect(try await server.get("/jobs/\(id)").json["result"]?["stdout"]?.string == "a\n")
            }
        }

        @Test(arguments: [
            (#"{"command": "x", "argv": ["x"]}"#, [], 400, "argv"),
            (#"{}"#, [], 400, "command"),
            (#"{"workspace": "../etc", "command": "x"}"#, [], 400, "workspace"),
            (#"{"workspace": "nope", "command": "x"}"#, [], 404, "workspace"),
            (#"{"command": "x", "cwd": "../default"}"#, [], 400, "cwd"),
            (#"{"command": "x", "cwd": "/etc"}"#, [], 400, "cwd"),
            (#"{"command": "x", "cwd": "link"}"#, [], 400, "cwd"),
            (#"{"command": "x", "cwd": "missing"}"#, [], 400, "cwd"),
            (#"{"command": "x", "env": {"LD_PRELOAD": "/x.so"}}"#, [], 400, "env.LD_PRELOAD"),
            (#"{"command": "x", "env": {"PATH": "/x"}}"#, [], 400, "env.PATH"),
            (#"{"command": "x", "profile": "strict"}"#, [], 400, "profile"),
            (#"{"command": "x", "timeout": 1000}"#, [], 400, "timeout"),
            (#"{"command": "x", "memory_limit": 100000}"#, [], 400, "memory_limit"),
            (#"{"command": null}"#, [], 400, "command"),
            (#"{"command": "x"}"#, [("X-PyLama-Front-Door", "cli")], 400, "X-PyLama-Front-Door"),
        ] as [(String, [(String, String)], Int, String)])
        func badRequestsAreRefusedNamingTheField(body: String, headers: [(String, String)], status: Int,
                                                 field: String) async throws {
            try await LiveBexy.run(workspaces: workspaceRoot(), script: scripts()) { server in
                for path in ["/workspace/execute", "/workspace/jobs"] {
                    let reply = try await server.post(path, body, headers: Harness.authorized + headers)
                    #expect(reply.status == status, "\(path) \(body): \(reply)")
                    #expect(reply.json.errorField == field, "\(reply)")
                }
                #expect(try server.auditRecords().isEmpty, "a refused request runs nothing")
            }
        }

        @Test func theWorkspaceRoutesNeedTheInternalToken() async throws {
            try await LiveBexy.run(workspaces: workspaceRoot(), script: scripts()) { server in
                let reply = try await server.post("/workspace/execute", #"{"command": "x"}"#, headers: [])
                #expect(reply.status == 401)
            }
        }
    }
}

extension BexyServiceTests {
    /// The workspace route over a real sandbox: the command runs in the workspace, as its owner.
    @Suite struct WorkspaceExecute {
        @Test func echoRunsInTheWorkspaceAndWritesThere() async throws {
            let root = workspaceRoot()
            chown(root.path + "/default", 64999, 64999)
            try await LiveBexy.run(workspaces: root) { server in
                let reply = try await server.post("/workspace/execute", #"{"command": "echo hi | tee out.txt; pwd"}"#)
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["stdout"]?.string == "hi\n/workspace\n", "\(reply)")
                var info = stat()
                #expect(stat(root.path + "/default/out.txt", &info) == 0)
                #expect(info.st_uid == 64999)
            }
        }
    }
}
