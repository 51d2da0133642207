import Contracts
import Hummingbird
import Ollama
import ServiceHTTP

/// PyLLM's text routes over Ollama:
///
/// - `POST /generate {prompt, model?, max_tokens?, temperature?, stream?}` -> `{status: "success", text, model,
///   tokens_used}`; with `stream: true`, Server-Sent Events: `token` events `{text}` as the model writes, then
///   one `done` event with the whole answer's object (or one `error` event with the error envelope).
/// - `POST /query {prompt, model?, max_tokens?, temperature?}` -> `{response, model}`.
/// - `POST /explain {code, model?}` -> `{status: "success", explanation, model}`.
/// - `POST /alternatives {code, n? (1-5, default 2), model?}` -> `{status: "success", alternatives: [{code,
///   full_response}], model}`: n answers at rising temperature.
struct GenerationRoutes: Sendable {
    let ollama: OllamaClient
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post("/generate") { request, context in try await generate(request, context: context) }
        router.post("/query") { request, _ in
            let body = try await generateBody(request)
            let completion = try await complete(body.prompt, model: body.model, options: options(of: body))
            return try JSONResponse.make(["response": completion.text, "model": completion.model])
        }
        router.post("/explain") { request, _ in
            let body = try JSONBody.decode(ExplainBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            try BodyCheck.nonEmpty(body.code, "code")
            try BodyCheck.model(body.model)
            let prompt = "Explain what this Python program does, step by step, for a programmer who has not seen "
                + "it. Mention its inputs, outputs and any problems you see.\n\n```python\n\(body.code)\n```"
            let completion = try await complete(prompt, model: body.model, options: GenerationOptions(temperature: 0))
            return try JSONResponse.make(["status": "success", "explanation": completion.text,
                                          "model": completion.model])
        }
        router.post("/alternatives") { request, _ in try await alternatives(request) }
    }

    private func generateBody(_ request: Request) async throws -> GenerateBody {
        let body = try JSONBody.decode(GenerateBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                       root: "body")
        try BodyCheck.nonEmpty(body.prompt, "prompt")
        try BodyCheck.model(body.model)
        try BodyCheck.range(body.maxTokens, 1...8192, "max_tokens")
        try BodyCheck.range(body.temperature, 0...2, "temperature")
        return body
    }

    private func options(of body: GenerateBody) -> GenerationOptions {
        GenerationOptions(temperature: body.temperature, maxTokens: body.maxTokens)
    }

    /// One whole answer, Ollama's failures as HTTP errors.
    func complete(_ prompt: String, model: String?, options: GenerationOptions) async throws -> Completion {
        do {
            return try await ollama.generate(prompt: prompt, model: model, options: options)
        } catch {
            throw ServiceError(error)
        }
    }

    private func generate(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await generateBody(request)
        guard body.stream == true else {
            let completion = try await complete(body.prompt, model: body.model, options: options(of: body))
            return try JSONResponse.make(GenerateAnswer(completion))
        }
        let requestID = RequestIdentifier.of(request, context: context)
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                var text = ""
                do {
                    try await ollama.generateStream(prompt: body.prompt, model: body.model,
                                                    options: options(of: body)) { chunk in
                        text += chunk.text
                        if let final = chunk.final {
                            var whole = final
                            whole.text = text
                            try await writer.write(ByteBuffer(string: ServerSentEvent.make("done",
                                                                                           GenerateAnswer(whole))))
                        } else {
                            try await writer.write(ByteBuffer(string: ServerSentEvent.make("token",
                                                                                           ["text": chunk.text])))
                        }
                    }
                } catch {
                    // The head (200) is gone already: the failure becomes the stream's last event.
                    let failure = ServiceError(error)
                    let envelope = ErrorEnvelope(error: .init(code: failure.code, message: failure.message,
                                                              field: failure.field), requestID: requestID)
                    try await writer.write(ByteBuffer(string: ServerSentEvent.make("error", envelope)))
                }
                try await writer.finish(nil)
            })
    }

    private func alternatives(_ request: Request) async throws -> Response {
        let body = try JSONBody.decode(AlternativesBody.self,
                                       from: try await JSONBody.read(request, limit: maxBodyBytes), root: "body")
        try BodyCheck.nonEmpty(body.code, "code")
        try BodyCheck.model(body.model)
        try BodyCheck.range(body.n, 1...5, "n")
        let prompt = "Write a different implementation of this Python program: same behaviour, another approach. "
            + "Answer with the complete program in one ```python code block.\n\n```python\n\(body.code)\n```"
        var alternatives: [[String: String]] = []
        var model = ""
        for index in 0..<(body.n ?? 2) {
            let completion = try await complete(prompt, model: body.model,
                                                options: GenerationOptions(temperature: 0.3 + 0.2 * Double(index),
                                                                           seed: index))
            model = completion.model
            alternatives.append(["code": CodeExtraction.python(from: completion.text),
                                 "full_response": completion.text])
        }
        return try JSONResponse.make(AlternativesAnswer(alternatives: alternatives, model: model))
    }
}

/// The answer of `POST /generate`.
struct GenerateAnswer: Encodable {
    var status = "success"
    var text: String
    var model: String
    var tokensUsed: Int

    init(_ completion: Completion) {
        text = completion.text
        model = completion.model
        tokensUsed = completion.promptTokens + completion.tokensGenerated
    }

    enum CodingKeys: String, CodingKey {
        case status, text, model
        case tokensUsed = "tokens_used"
    }
}

struct AlternativesAnswer: Encodable {
    var status = "success"
    var alternatives: [[String: String]]
    var model: String
}
