import Hummingbird
import Ollama
import PyLLM
import ServiceHTTP

/// PyLama's workflows:
///
/// - `POST /execute {markdown | content, fix? (true), max_attempts? (0-5, default 3)}` -> `MarkdownWorkflow.Outcome`:
///   `{results: [{block_id, success, stdout, stderr, output, error, fixed_code, fixed_output, attempts}],
///   updated_markdown}`;
/// - `POST /code {prompt, template?, model?, run?}` -> `{status, code, full_response, template, model, run?}`, `run`
///   being the fix loop's outcome (`FixAndRun.Outcome`) when asked for.
struct WorkflowRoutes: Sendable {
    let defaultModel: DefaultModel
    let sandbox: any SandboxRunner
    let maxBodyBytes: Int

    struct ExecuteBody: Decodable {
        var markdown: String?
        var content: String?
        var fix: Bool?
        var maxAttempts: Int?

        enum CodingKeys: String, CodingKey {
            case markdown, content, fix
            case maxAttempts = "max_attempts"
        }
    }

    struct CodeBody: Decodable {
        var prompt: String
        var template: CodeTemplate?
        var model: String?
        var run: Bool?
    }

    struct CodeAnswer: Encodable {
        var status = "success"
        var code: String
        var fullResponse: String
        var template: CodeTemplate
        var model: String
        var run: FixAndRun.Outcome?

        enum CodingKeys: String, CodingKey {
            case status, code, template, model, run
            case fullResponse = "full_response"
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/execute") { request, context in
            let body = try JSONBody.decode(ExecuteBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            guard let markdown = body.markdown ?? body.content else { throw ServiceError.missingField("markdown") }
            if body.markdown != nil && body.content != nil {
                throw ServiceError.invalidField("content", "give markdown or content, not both")
            }
            if let attempts = body.maxAttempts, !(0...5).contains(attempts) {
                throw ServiceError.invalidField("max_attempts", "must be between 0 and 5")
            }
            let workflow = MarkdownWorkflow(loop: FixAndRun(ollama: await defaultModel.client, sandbox: sandbox))
            do {
                return try JSONResponse.make(try await workflow.run(
                    markdown: markdown, fix: body.fix ?? true, maxAttempts: body.maxAttempts ?? FixAndRun.defaultMaxAttempts,
                    requester: try Requester.of(request.headers),
                    requestID: RequestIdentifier.of(request, context: context)))
            } catch {
                throw ServiceError(error)
            }
        }
        router.post("/code") { request, context in
            let body = try JSONBody.decode(CodeBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            guard !body.prompt.allSatisfy(\.isWhitespace) else { throw ServiceError.invalidField("prompt", "must not be empty") }
            let client = await defaultModel.client
            let template = body.template ?? .basic
            do {
                let completion = try await client.generate(prompt: template.prompt(task: body.prompt), model: body.model,
                                                           options: GenerationOptions(temperature: 0))
                var answer = CodeAnswer(code: CodeExtraction.python(from: completion.text),
                                        fullResponse: completion.text, template: template, model: completion.model)
                if body.run == true {
                    answer.run = try await FixAndRun(ollama: client, sandbox: sandbox).run(
                        code: answer.code, stdin: nil, profile: nil, maxAttempts: FixAndRun.defaultMaxAttempts,
                        model: body.model, requester: try Requester.of(request.headers),
                        requestID: RequestIdentifier.of(request, context: context))
                }
                return try JSONResponse.make(answer)
            } catch {
                throw ServiceError(error)
            }
        }
    }
}
