import Bexy
import BexyService
import Contracts
import ServiceHTTP
import TestSupport
import Testing

/// Every suite of this target, one at a time: they run real sandboxes and real servers on a 2-core machine.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct BexyServiceTests {}

extension BexyServiceTests {
    @Suite struct Execute {
        /// Every key of `ExecutionResult`'s JSON, as `bexy exec --json` prints it.
        static let resultKeys: Set<String> = [
            "id", "profile", "status", "exit_code", "signal", "stdout", "stderr", "stdout_truncated",
            "stderr_truncated", "wall_ms", "cpu_ms", "peak_memory_bytes", "limit_hit", "blocked_syscall", "limits",
            "success", "error_type", "error_message", "output", "error", "sandbox",
        ]

        @Test func helloReturnsTheExecJSONResult() async throws {
            try await LiveBexy.run { server in
                let reply = try await server.execute(json(["code": "print('hello')"]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json.keys == Self.resultKeys)
                #expect(reply.json["success"]?.bool == true)
                #expect(reply.json["status"]?.string == "ok")
                #expect(reply.json["stdout"]?.string == "hello\n")
                #expect(reply.json["output"]?.string == "hello\n")
                #expect(reply.json["profile"]?.string == "strict")
                #expect(reply.headers.first(name: "X-Request-ID") != nil)
            }
        }

        @Test func stdinFilesArgsAndProfileReachTheProgram() async throws {
            try await LiveBexy.run { server in
                let code = "import sys\nprint(sys.argv[1:], input(), open('data/in.txt').read())"
                let reply = try await server.execute(json([
                    "code": code, "stdin": "line\n", "files": ["data/in.txt": "content"], "args": ["a", "b"],
                    "profile": "standard",
                ]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["stdout"]?.string == "['a', 'b'] line content\n")
                #expect(reply.json["profile"]?.string == "standard")
            }
        }

        @Test func aFailingProgramIs200WithSuccessFalse() async throws {
            try await LiveBexy.run { server in
                let reply = try await server.execute(json(["code": "import sys\nprint('out')\nsys.exit(3)"]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["success"]?.bool == false)
                #expect(reply.json["status"]?.string == "runtime_error")
                #expect(reply.json["exit_code"]?.int == 3)
                #expect(reply.json["stdout"]?.string == "out\n")

                let exception = try await server.execute(json(["code": "1/0"]))
                #expect(exception.status == 200)
                #expect(exception.json["error_type"]?.string == "ZeroDivisionError")
            }
        }

        @Test func aRequestMayTightenTheTimeoutAndMemory() async throws {
            try await LiveBexy.run { server in
                let reply = try await server.execute(json(["code": "while True: pass", "timeout": 1]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["status"]?.string == "timeout")
                #expect(reply.json["success"]?.bool == false)
                #expect(reply.json["error_type"]?.string == "TimeoutError")
                #expect(reply.json["limits"]?["wall_time_ms"]?.int == 1000)

                let tightened = try await server.execute(
                    json(["code": "print(1)", "timeout": 3, "options": ["memory_limit": 64, "timeout": 2]]))
                #expect(tightened.status == 200, "\(tightened)")
                #expect(tightened.json["limits"]?["memory_bytes"]?.int == 64 << 20)
                #expect(tightened.json["limits"]?["wall_time_ms"]?.int == 2000, "the tighter timeout applies")
            }
        }
    }
}
