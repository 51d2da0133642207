import Contracts
import Foundation
import Testing
import TestSupport

/// PyLLM over real HTTP on loopback, generating with the real small model behind the Ollama stand-in.
@Suite struct PyLLMServiceTests {
    /// `/health` once its background probe of Ollama has answered (the first answer says "not checked yet").
    func probedHealth(_ port: Int) async throws -> Answer {
        for _ in 0..<100 {
            let health = try await call(port, .GET, "/health", token: nil)
            if health.json["ollama"]?["error"]?.string != "not checked yet" { return health }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await call(port, .GET, "/health", token: nil)
    }

    @Test func healthIsOpenAndReportsOllamaTheRestNeedsTheToken() async throws {
        try await withPyLLM { port in
            let health = try await probedHealth(port)
            #expect(health.status == 200)
            #expect(health.json["ollama"]?["reachable"]?.bool == true)
            let refused = try await call(port, .POST, "/generate", body: #"{"prompt":"hi"}"#, token: nil)
            #expect(refused.status == 401)
            #expect(refused.json["status"]?.string == "error")
            let models = try await call(port, .GET, "/models")
            #expect(models.json["default"]?.string == OllamaStandIn.model)
            #expect(models.json["models"]?.array.compactMap { $0["name"]?.string }.contains(OllamaStandIn.model) == true)
        }
    }

    @Test func generateAndQueryAnswerWithTheModelsText() async throws {
        try await withPyLLM { port in
            let generated = try await call(port, .POST, "/generate",
                                           body: #"{"prompt":"Name a colour.","temperature":0,"max_tokens":16}"#)
            #expect(generated.status == 200)
            #expect(generated.json["status"]?.string == "success")
            #expect(generated.json["text"]?.string?.isEmpty == false)
            #expect((generated.json["tokens_used"]?.int ?? 0) > 0)
            let query = try await call(port, .POST, "/query",
                                       body: #"{"prompt":"Name a colour.","temperature":0,"max_tokens":16}"#)
            #expect(query.json["response"]?.string == generated.json["text"]?.string)
        }
    }

    @Test func streamedGenerateSendsTokenEventsThenDone() async throws {
        try await withPyLLM { port in
            let answer = try await call(port, .POST, "/generate",
                                        body: #"{"prompt":"Count to five.","temperature":0,"max_tokens":16,"stream":true}"#)
            #expect(answer.contentType == "text/event-stream")
            let events = answer.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.filter { $0.hasPrefix("event: token\n") }.count > 1)
            #expect(events.last?.hasPrefix("event: done\n") == true)
        }
    }

    @Test func codeExtractsThePythonBlock() async throws {
        try await withPyLLM { port in
            let answer = try await call(port, .POST, "/code",
                                        body: #"{"prompt":"a function that adds two numbers","template":"testable"}"#)
            #expect(answer.status == 200)
            #expect(answer.json["template"]?.string == "testable")
            let code = try #require(answer.json["code"]?.string)
            #expect(!code.contains("```"))
            #expect(answer.json["full_response"]?.string?.contains(code) == true)
        }
    }

    @Test func fixCodeEscalatesAndRefusesAFourthAttempt() async throws {
        try await withPyLLM { port in
            let body = #"{"code":"import numpyy\nprint(1)","error_message":"ModuleNotFoundError: No module named 'numpyy'","attempt":2}"#
            let fixed = try await call(port, .POST, "/fix-code", body: body)
            #expect(fixed.status == 200)
            #expect(fixed.json["prompt_type"]?.string == "import_focused")
            #expect(fixed.json["fixed_code"]?.string != nil)
            let fourth = try await call(port, .POST, "/fix-code", body: #"{"code":"x","error_message":"e","attempt":4}"#)
            #expect(fourth.status == 400)
            #expect(fourth.json["error"]?["field"]?.string == "attempt")
        }
    }

    @Test func fixAndRunKeepsEveryAttemptAndRunsOnlyInTheSandbox() async throws {
        let sandbox = ScriptedSandbox()
        try await withPyLLM(sandbox: sandbox) { port in
            let answer = try await call(port, .POST, "/fix-and-run",
                                        body: #"{"code":"print(undefined_name)","max_attempts":2}"#)
            #expect(answer.status == 200)
            let attempts = answer.json["attempts"]?.array ?? []
            // Every program the loop produced went to the sandbox, and only there, in order.
            #expect(attempts.compactMap { $0["code"]?.string } == sandbox.programs)
            #expect(attempts.first?["result"]?["status"]?.string == "runtime_error")
            #expect(attempts.first?["prompt_type"] == nil)
            if attempts.count > 1 { #expect(attempts[1]["prompt_type"]?.string == "fix") }
            #expect((1...3).contains(attempts.count))
            let succeeded = answer.json["status"]?.string == "success"
            #expect(succeeded == (attempts.last?["result"]?["success"]?.bool == true))
            #expect(succeeded || attempts.count == 3)
            #expect(answer.json["final_code"]?.string == attempts.last?["code"]?.string)
        }
    }

    @Test func badInputIsA4xxNamingTheField() async throws {
        try await withPyLLM(maxBodyBytes: 4096) { port in
            let missing = try await call(port, .POST, "/generate", body: #"{"max_tokens":3}"#)
            #expect(missing.status == 400)
            #expect(missing.json["error"]?["field"]?.string == "prompt")
            let empty = try await call(port, .POST, "/code", body: #"{"prompt":"  "}"#)
            #expect(empty.json["error"]?["field"]?.string == "prompt")
            let template = try await call(port, .POST, "/code", body: #"{"prompt":"x","template":"fancy"}"#)
            #expect(template.status == 400)
            #expect(template.json["error"]?["field"]?.string == "template")
            let temperature = try await call(port, .POST, "/generate", body: #"{"prompt":"x","temperature":9}"#)
            #expect(temperature.json["error"]?["field"]?.string == "temperature")
            let huge = try await call(port, .POST, "/generate",
                                      body: "{\"prompt\":\(quoted(String(repeating: "a", count: 10_000)))}")
            #expect(huge.status == 413)
            let unknown = try await call(port, .POST, "/query", body: #"{"prompt":"x","model":"no-such:1"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?["field"]?.string == "model")
            let notJSON = try await call(port, .POST, "/explain", body: "{")
            #expect(notJSON.status == 400)
        }
    }

    @Test func ollamaDownIs503AndHangingIs504() async throws {
        try await withPyLLM(ollamaHost: "http://127.0.0.1:\(refusedPort())") { port in
            let down = try await call(port, .POST, "/generate", body: #"{"prompt":"hi"}"#)
            #expect(down.status == 503)
            #expect(down.json["error"]?["message"]?.string?.contains("Ollama") == true)
            let health = try await probedHealth(port)
            #expect(health.status == 200)
            #expect(health.json["ollama"]?["reachable"]?.bool == false)
            #expect(health.json["ollama"]?["error"]?.string?.contains("not reachable") == true)
        }
        let silent = LoopbackSocket(listening: true)
        try await withPyLLM(ollamaHost: "http://127.0.0.1:\(silent.port)", timeoutSeconds: 1) { port in
            let hanging = try await call(port, .POST, "/query", body: #"{"prompt":"hi"}"#)
            #expect(hanging.status == 504)
            #expect(hanging.json["error"]?["code"]?.string == "ollama_timeout")
        }
    }
}
