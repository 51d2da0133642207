import Contracts
import PyLLM
import Testing
import TestSupport

/// fix-and-run with the real model and the real BEXY: every attempt, the broken original and each fix, ran in a
/// sandbox (BEXY's result carries its job id and the sandbox that ran it), and the loop stops at the first success
/// or after the last attempt. Whether the tiny model fixes the program is not asserted: the loop is.
@Suite(.enabled(if: TestHost.canRunSandboxes, "needs root and the sandbox's kernel features"))
struct FixAndRunSandboxTests {
    @Test func everyAttemptRunsInBexy() async throws {
        let bexy = try await BexyServerProcess.start(internalToken: internalToken)
        defer { bexy.stop() }
        let runner = BexyHTTPRunner(url: "http://127.0.0.1:\(bexy.port)", token: internalToken)
        try await withPyLLM(sandbox: runner) { port in
            let answer = try await call(port, .POST, "/fix-and-run",
                                        body: #"{"code":"total = 1 + 2\nprint(totl)","max_attempts":2}"#)
            #expect(answer.status == 200, "\(answer.text)")
            let attempts = answer.json["attempts"]?.array ?? []
            #expect((1...3).contains(attempts.count))
            let first = try #require(attempts.first?["result"])
            #expect(first["status"]?.string == "runtime_error")
            #expect(first["error_type"]?.string == "NameError")
            for attempt in attempts {
                let result = try #require(attempt["result"])
                #expect(result["id"]?.string?.isEmpty == false)
                #expect(result["sandbox"]?.string != nil)
                #expect(result["profile"]?.string == "strict")
            }
            let last = try #require(attempts.last?["result"])
            #expect((answer.json["status"]?.string == "success") == (last["success"]?.bool == true))
            if answer.json["status"]?.string != "success" { #expect(attempts.count == 3) }
        }
    }
}
