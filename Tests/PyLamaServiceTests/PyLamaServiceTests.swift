import Contracts
import Foundation
import Logging
import Ollama
import PyLamaService
import PyLLM
import Testing
import TestSupport

private let token = "pylama-test-token"

/// PyLama over real HTTP with the real small model behind the Ollama stand-in; programs go to a scripted sandbox.
@Suite(.serialized) struct PyLamaServiceTests {
    func withPyLama(centralPath: String? = nil, sandbox: any SandboxRunner = ScriptedSandbox(),
                    _ body: (Int) async throws -> Void) async throws {
        let ollama = "http://127.0.0.1:\(try await OllamaStandIn.shared.value.port)"
        let configuration = PyLLMConfiguration(
            host: "127.0.0.1", port: 0, internalToken: token, bexyURL: "http://127.0.0.1:1",
            ollama: OllamaConfiguration(host: ollama, defaultModel: OllamaStandIn.model))
        var logger = Logger(label: "pylama-test")
        logger.logLevel = .critical
        try await withRunningServer({ onRunning in
            let server = PyLamaServer(configuration: configuration, centralPath: centralPath, sandbox: sandbox,
                                      logger: logger, onServerRunning: onRunning)
            return { try await server.run() }
        }, body)
    }

    @Test func modelsAreListedShownPulledDefaultedAndDeleted() async throws {
        let central = temporaryDirectory(prefix: "pylama") + "/central.env"
        try await withPyLama(centralPath: central) { port in
            let list = try await call(port, .GET, "/models", token: token)
            #expect(list.json["default"]?.string == OllamaStandIn.model)
            let shown = try await call(port, .GET, "/models/\(OllamaStandIn.model)", token: token)
            #expect(shown.status == 200)
            #expect(shown.json["details"]?["details"]?["format"]?.string == "gguf")
            #expect(try await call(port, .GET, "/models/nope:1", token: token).status == 404)

            let pull = try await call(port, .POST, "/models/pull", body: #"{"name": "smollm2:135m-instruct"}"#,
                                      token: token)
            #expect(pull.contentType == "application/x-ndjson")
            let lines = pull.text.split(separator: "\n").map { String($0) }
            #expect(lines.count > 2)
            #expect(lines.last?.contains("\"success\"") == true)
            let failed = try await call(port, .POST, "/models/pull", body: #"{"name": "unknown-model"}"#, token: token)
            #expect(failed.text.contains("\"error\""))

            let chosen = try await call(port, .POST, "/models/default", body: #"{"name": "smollm2:135m-instruct"}"#,
                                        token: token)
            #expect(chosen.status == 200)
            #expect(try String(contentsOfFile: central, encoding: .utf8).contains("OLLAMA_MODEL=smollm2:135m-instruct"))
            #expect(try await call(port, .GET, "/models", token: token).json["default"]?.string == "smollm2:135m-instruct")
            let missing = try await call(port, .POST, "/models/default", body: #"{"name": "nope:1"}"#, token: token)
            #expect(missing.status == 404)
            #expect(missing.json["error"]?["field"]?.string == "name")
            let bad = try await call(port, .POST, "/models/default", body: #"{"name": "a b"}"#, token: token)
            #expect(bad.status == 400)

            #expect(try await call(port, .DELETE, "/models/smollm2:135m-instruct", token: token).status == 200)
            #expect(try await call(port, .DELETE, "/models/smollm2:135m-instruct", token: token).status == 404)
        }
    }

    @Test func markdownBlocksRunFixAndSpliceBack() async throws {
        let sandbox = ScriptedSandbox()
        let markdown = "# Doc\n```python\nprint('ok')\n```\n```mermaid\ngraph TD; A-->B\n```\n```python\nprint(undefined_name)\n```\nend\n"
        try await withPyLama(sandbox: sandbox) { port in
            let answer = try await call(port, .POST, "/execute", body: "{\"markdown\": \(quoted(markdown))}", token: token)
            #expect(answer.status == 200, "\(answer.text)")
            let results = answer.json["results"]?.array ?? []
            #expect(results.compactMap { $0["block_id"]?.int } == [0, 2])
            #expect(results[0]["success"]?.bool == true)
            #expect(results[0]["fixed_code"] == nil || results[0]["fixed_code"] == .null)
            let broken = results[1]
            #expect(broken["stderr"]?.string?.contains("NameError") == true)
            let attempts = broken["attempts"]?.array ?? []
            #expect((2...4).contains(attempts.count))
            // The mermaid block never ran; only python blocks and their fixes did.
            #expect(!sandbox.programs.contains { $0.contains("graph TD") })
            let updated = try #require(answer.json["updated_markdown"]?.string)
            #expect(updated.contains("```mermaid\ngraph TD; A-->B\n```"))
            if broken["success"]?.bool == true, let fixed = broken["fixed_code"]?.string {
                #expect(updated.contains(fixed))
                #expect(!updated.contains("print(undefined_name)"))
            } else {
                #expect(updated == markdown)
            }
            let none = try await call(port, .POST, "/execute", body: #"{"fix": true}"#, token: token)
            #expect(none.status == 400)
            #expect(none.json["error"]?["field"]?.string == "markdown")
        }
    }

    @Test func codeGeneratesAndRunsThroughTheLoop() async throws {
        let sandbox = ScriptedSandbox()
        try await withPyLama(sandbox: sandbox) { port in
            let answer = try await call(port, .POST, "/code", body: #"{"prompt": "print hello", "run": true}"#,
                                        token: token)
            #expect(answer.status == 200, "\(answer.text)")
            let code = try #require(answer.json["code"]?.string)
            #expect(sandbox.programs.first == code)
            #expect(answer.json["run"]?["attempts"]?.array.isEmpty == false)
        }
    }
}
