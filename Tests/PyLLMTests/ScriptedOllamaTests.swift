import Hummingbird
import Logging
import NIOCore
import Ollama
import Testing
import TestSupport

/// Edge cases a real model does not produce on demand, from a scripted Ollama on loopback: an answer with no code
/// block, garbage instead of NDJSON, a stream cut before its last line, an error line mid-stream.
@Suite struct ScriptedOllamaTests {
    /// Runs an Ollama whose `/api/generate` answers with `body` (as NDJSON) for `test`.
    func withScriptedOllama(_ body: String, _ test: (OllamaClient) async throws -> Void) async throws {
        let router = Router()
        router.post("/api/generate") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-ndjson"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        var logger = Logger(label: "scripted-ollama")
        logger.logLevel = .critical
        try await withRunningServer({ onRunning in
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: logger)
            return { try await app.runService() }
        }, { port in
            try await test(OllamaClient(configuration: OllamaConfiguration(host: "http://127.0.0.1:\(port)",
                                                                           timeoutSeconds: 10, defaultModel: "m")))
        })
    }

    @Test func anAnswerWithoutACodeBlockIsTakenWhole() async throws {
        let lines = #"{"model":"m","response":"print(","done":false}"# + "\n"
            + #"{"model":"m","response":"1)","done":true,"eval_count":2}"# + "\n"
        try await withScriptedOllama(lines) { ollama in
            let completion = try await ollama.generate(prompt: "x")
            #expect(completion.text == "print(1)")
            #expect(completion.tokensGenerated == 2)
        }
    }

    @Test func garbageIsABadResponseNotACrash() async throws {
        try await withScriptedOllama("<html>not json</html>\n") { ollama in
            do {
                _ = try await ollama.generate(prompt: "x")
                Issue.record("garbage was accepted")
            } catch {
                guard case OllamaError.badResponse(let detail)? = error as? OllamaError else {
                    Issue.record("got \(error)")
                    return
                }
                #expect(detail.contains("not json"))
            }
        }
    }

    @Test func aStreamCutBeforeItsLastLineIsABadResponse() async throws {
        let cut = #"{"model":"m","response":"half","done":false}"# + "\n"
        try await withScriptedOllama(cut) { ollama in
            await #expect(throws: OllamaError.badResponse("the stream ended before its last line (done: true)")) {
                try await ollama.generate(prompt: "x")
            }
        }
    }

    @Test func anErrorLineMidStreamIsOllamasError() async throws {
        let failing = #"{"model":"m","response":"a","done":false}"# + "\n" + #"{"error":"out of memory"}"# + "\n"
        try await withScriptedOllama(failing) { ollama in
            await #expect(throws: OllamaError.upstream(status: 200, message: "out of memory")) {
                try await ollama.generate(prompt: "x")
            }
        }
    }
}
