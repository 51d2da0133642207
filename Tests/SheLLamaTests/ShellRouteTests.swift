import Contracts
import Foundation
import SheLLama
import TestSupport
import Testing

/// `POST /shell` and the git routes against a fake BEXY over real HTTP: what SheLLama sends (the contract's body,
/// token and headers; git's defensive argv) and how it maps the answers.
@Suite struct ShellRouteTests {
    @Test func shellSendsTheContractsBodyAndMapsTheResult() async throws {
        let world = try SheLLamaWorld()
        let bexy = FakeBexy()
        try await bexy.run { bexyURL in
            try await world.withService(bexyURL: bexyURL) { port in
                try FileManager.default.createDirectory(atPath: world.workspace + "/sub", withIntermediateDirectories: true)
                let reply = try await send(port, .POST, "/shell",
                                           body: #"{"command":"echo hi","cwd":"sub","timeout":5,"env":{"A":"b"}}"#,
                                           headers: [("X-PyLama-Requester", "alice")])
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.json?["status"]?.string == "success" && reply.json?["output"]?.string == "ran: echo hi\n")
                #expect(reply.json?["exit_code"]?.int == 0 && reply.json?["timed_out"]?.bool == false)
                #expect(reply.json?["result"]?["profile"]?.string == "workspace")
                let failed = try await send(port, .POST, "/shell", body: #"{"command":"exit 3"}"#)
                #expect(failed.json?["status"]?.string == "error" && failed.json?["exit_code"]?.int == 3, "\(failed.text)")
            }
        }
        let call = try #require(bexy.calls.first)
        #expect(call.path == "/workspace/execute")
        #expect(call.body == .object(["workspace": .string("default"), "command": .string("echo hi"), "cwd": .string("sub"),
                                      "timeout": .integer(5), "env": .object(["A": .string("b")])]))
        #expect(call.headers["authorization"] == "Bearer \(SheLLamaWorld.internalToken)")
        #expect(call.headers["x-pylama-requester"] == "alice" && call.headers["x-pylama-front-door"] == "shellama")
        #expect(call.headers["x-forwarded-prefix"] == nil)
    }

    @Test func streamStartsABexyJobAndAnswersItsLinks() async throws {
        let world = try SheLLamaWorld()
        let bexy = FakeBexy()
        try await bexy.run { bexyURL in
            try await world.withService(bexyURL: bexyURL) { port in
                let reply = try await send(port, .POST, "/shell", body: #"{"command":"sleep 100","stream":true}"#)
                #expect(reply.status == 202 && reply.json?["job_id"]?.string == "job-1", "\(reply.text)")
                #expect(reply.json?["links"]?["events"]?.string == "/api/bexy/jobs/job-1/events")
            }
        }
        #expect(bexy.calls.map(\.path) == ["/workspace/jobs"])
    }

    @Test func refusalsComeBeforeBexyAndBexysOwnErrorsArePassedOn() async throws {
        let world = try SheLLamaWorld()
        let bexy = FakeBexy()
        try await bexy.run { bexyURL in
            try await world.withService(bexyURL: bexyURL) { port in
                expectError(try await send(port, .POST, "/shell", body: #"{"command":"ls","cwd":"../x"}"#), status: 403,
                            code: "path_escapes")
                expectError(try await send(port, .POST, "/shell", body: #"{"command":"ls","timeout":1e308}"#),
                            status: 400, code: "invalid_field")
                expectError(try await send(port, .POST, "/shell", body: #"{"command":"ls","workspace":null}"#),
                            status: 400, code: "invalid_field")
                expectError(try await send(port, .POST, "/shell", body: #"{"command":"ls","cwd":"missing"}"#), status: 404)
                expectError(try await send(port, .POST, "/shell", body: #"{"command":""}"#), status: 400)
                expectError(try await send(port, .POST, "/shell", body: #"{"command":"ls","workspace":"nope"}"#),
                            status: 404, code: "workspace_not_found")
                let passed = try await send(port, .POST, "/shell", body: #"{"command":"ls","workspace":"other"}"#)
                expectError(passed, status: 404, code: "workspace_not_found")
                #expect(passed.json?["message"]?.string?.hasPrefix("BEXY: ") == true, "\(passed.text)")
            }
        }
        #expect(bexy.calls.count == 1)
    }

    @Test func aBexyThatIsDownIs503NamingBexy() async throws {
        let world = try SheLLamaWorld()
        try await world.withService { port in
            let reply = try await send(port, .POST, "/shell", body: #"{"command":"echo hi"}"#)
            expectError(reply, status: 503, code: "bexy_unavailable")
            #expect(reply.json?["message"]?.string?.contains("BEXY is not reachable") == true, "\(reply.text)")
        }
    }

    /// Git runs through BEXY as an argv whose `-c` overrides disable hooks, fsmonitor, pagers and external diffs,
    /// with the configured author; a commit is `git add` then `git commit --no-verify`.
    @Test func gitRunsThroughBexyWithTheDefensiveOverrides() async throws {
        let world = try SheLLamaWorld()
        let bexy = FakeBexy()
        try await bexy.run { bexyURL in
            try await world.withService(bexyURL: bexyURL) { port in
                #expect(try await send(port, .GET, "/git/status").status == 200)
                #expect(try await send(port, .POST, "/git/init").status == 200)
                let commit = try await send(port, .POST, "/git/commit", body: #"{"message":"first","files":["a.txt"]}"#)
                #expect(commit.status == 200 && commit.json?["add"] != nil, "\(commit.text)")
                #expect(try await send(port, .GET, "/git/log").json?["commits"] != nil)
                #expect(try await send(port, .GET, "/git/show?commit=HEAD&filename=a.txt").json?["content"] != nil)
                expectError(try await send(port, .GET, "/git/show?commit=--output=/tmp/x"), status: 400)
                expectError(try await send(port, .POST, "/git/commit", body: #"{"message":"m","files":["../x"]}"#),
                            status: 403, code: "path_escapes")
                expectError(try await send(port, .GET, "/git/log?limit=1704627157796717371552956416"), status: 400)
            }
        }
        let argvs = bexy.calls.map { $0.body["argv"]?.array.compactMap(\.string) ?? [] }
        #expect(argvs.count == 6)
        for argv in argvs {
            #expect(argv.first == "git")
            for setting in ["core.hooksPath=/dev/null", "core.fsmonitor=", "diff.external=", "user.name=Test Author",
                            "user.email=author@example.test"] {
                #expect(argv.contains(setting), "\(setting) missing in \(argv)")
            }
        }
        #expect(argvs[2].suffix(3) == ["add", "--", "a.txt"])
        #expect(argvs[3].contains("commit") && argvs[3].contains("--no-verify") && argvs[3].last == "first")
        #expect(argvs[5].last == "HEAD:a.txt")
        #expect(bexy.calls.allSatisfy { $0.body["env"]?["GIT_CONFIG_NOSYSTEM"]?.string == "1" })
    }
}
