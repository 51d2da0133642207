import Foundation
import Ollama
import Testing
import TestSupport

/// The Ollama client against the stand-in serving the real SmolLM2 model, and against a closed port and a server
/// that never answers.
@Suite struct OllamaClientTests {
    func client(model: String = OllamaStandIn.model, fallbacks: [String] = [], timeout: Int = 120) async throws
        -> OllamaClient {
        let port = try await OllamaStandIn.shared.value.port
        return OllamaClient(configuration: OllamaConfiguration(host: "http://127.0.0.1:\(port)", timeoutSeconds: timeout,
                                                               defaultModel: model, fallbackModels: fallbacks))
    }

    @Test func listsVersionAndModels() async throws {
        let ollama = try await client()
        #expect(try await ollama.version().isEmpty == false)
        #expect(try await ollama.installedModels().map(\.name).contains(OllamaStandIn.model))
        let details = try await ollama.show(model: OllamaStandIn.model)
        #expect(details["details"]?["format"]?.string == "gguf")
    }

    @Test func generatesDeterministicallyAtTemperatureZero() async throws {
        let ollama = try await client()
        let options = GenerationOptions(temperature: 0, maxTokens: 24)
        let first = try await ollama.generate(prompt: "Name three colours.", options: options)
        let second = try await ollama.generate(prompt: "Name three colours.", options: options)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.model == OllamaStandIn.model)
        #expect(first.tokensGenerated > 0 && first.tokensGenerated <= 24)
    }

    @Test func streamsPiecesBeforeTheLastLine() async throws {
        let ollama = try await client()
        var pieces: [String] = []
        var final: Completion?
        try await ollama.chatStream(messages: [ChatMessage(role: "user", content: "Count from 1 to 5.")],
                                    options: GenerationOptions(temperature: 0, maxTokens: 20)) { chunk in
            if let last = chunk.final { final = last } else { pieces.append(chunk.text) }
        }
        #expect(pieces.count > 1)
        #expect(final?.text == pieces.joined())
    }

    @Test func unknownModelFailsByNameAndTheFallbackAnswers() async throws {
        await #expect(throws: OllamaError.modelNotFound("no-such-model:1")) {
            try await client().generate(prompt: "hi", model: "no-such-model:1")
        }
        let withFallback = try await client(model: "no-such-model:1", fallbacks: ["also-missing", OllamaStandIn.model])
        #expect(withFallback.candidates(for: nil) == ["no-such-model:1", "also-missing", OllamaStandIn.model])
        let answer = try await withFallback.generate(prompt: "Say hi.", options: GenerationOptions(temperature: 0,
                                                                                                   maxTokens: 8))
        #expect(answer.model == OllamaStandIn.model)
    }

    @Test func pullReportsProgressThenDeleteRemoves() async throws {
        let ollama = try await client()
        let seen = ProgressLog()
        try await ollama.pull(model: "smollm2:latest") { await seen.add($0.status) }
        let statuses = await seen.statuses
        #expect(statuses.first == "pulling manifest")
        #expect(statuses.last == "success")
        #expect(try await ollama.installedModels().map(\.name).contains("smollm2:latest"))
        try await ollama.delete(model: "smollm2:latest")
        #expect(!(try await ollama.installedModels().map(\.name).contains("smollm2:latest")))
        await #expect(throws: OllamaError.modelNotFound("smollm2:latest")) {
            try await ollama.delete(model: "smollm2:latest")
        }
    }

    @Test func downIsUnreachableAndHangingIsATimeout() async throws {
        let down = OllamaClient(configuration: OllamaConfiguration(host: "http://127.0.0.1:\(refusedPort())"))
        do {
            _ = try await down.version()
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable = error else { Issue.record("got \(error)"); return }
            #expect(error.description.contains("OLLAMA_HOST"))
        }
        let silent = LoopbackSocket(listening: true)
        let host = "http://127.0.0.1:\(silent.port)"
        let hanging = OllamaClient(configuration: OllamaConfiguration(host: host, timeoutSeconds: 1))
        await #expect(throws: OllamaError.timedOut(url: host, seconds: 1)) {
            try await hanging.generate(prompt: "hi")
        }
    }

    @Test func configurationReadsTheKeysAndRefusesBadTimeouts() throws {
        let configuration = try OllamaConfiguration(values: ["OLLAMA_HOST": "ollama:11434/", "OLLAMA_TIMEOUT": "30",
                                                             "OLLAMA_MODEL": "codellama:7b",
                                                             "OLLAMA_FALLBACK_MODELS": " llama3.2 , ,phi3 "])
        #expect(configuration == OllamaConfiguration(host: "http://ollama:11434", timeoutSeconds: 30,
                                                     defaultModel: "codellama:7b", fallbackModels: ["llama3.2", "phi3"]))
        #expect(throws: OllamaConfiguration.InvalidValue.self) {
            try OllamaConfiguration(values: ["OLLAMA_TIMEOUT": "soon"])
        }
    }
}

actor ProgressLog {
    var statuses: [String] = []
    func add(_ status: String) { statuses.append(status) }
}
