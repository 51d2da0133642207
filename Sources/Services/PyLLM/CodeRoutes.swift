import Hummingbird
import Ollama
import ServiceHTTP

/// PyLLM's code routes:
///
/// - `POST /code {prompt, template?, dependencies?, model?}` -> `{status: "success", code, full_response,
///   template, model}`; `template` is one of `CodeTemplate` (default `basic`), `code` the answer's Python block.
/// - `POST /fix-code {code, error_message, is_logic_error?, attempt? (1-3)}` -> `{fixed_code, full_response,
///   prompt_type, attempt, model}` with `FixPrompt`'s escalating strategy; attempt 4 or more is 400.
/// - `POST /fix-and-run {code, stdin?, max_attempts? (0-5, default 3), profile?, model?}` -> `FixAndRun.Outcome`:
///   the program runs in BEXY, each failure gets a fix that runs in BEXY, every attempt is returned.
struct CodeRoutes: Sendable {
    let generation: GenerationRoutes
    let fixAndRun: FixAndRun
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post("/code") { request, _ in
            let body = try JSONBody.decode(CodeBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            try BodyCheck.nonEmpty(body.prompt, "prompt")
            try BodyCheck.model(body.model)
            let template = body.template ?? .basic
            let completion = try await generation.complete(
                template.prompt(task: body.prompt, dependencies: body.dependencies ?? []), model: body.model,
                options: GenerationOptions(temperature: 0))
            return try JSONResponse.make(["status": "success", "code": CodeExtraction.python(from: completion.text),
                                          "full_response": completion.text, "template": template.rawValue,
                                          "model": completion.model])
        }
        router.post("/fix-code") { request, _ in
            let body = try JSONBody.decode(FixCodeBody.self,
                                           from: try await JSONBody.read(request, limit: maxBodyBytes), root: "body")
            try BodyCheck.nonEmpty(body.code, "code")
            try BodyCheck.model(body.model)
            try BodyCheck.range(body.attempt, 1...FixPrompt.maxAttempt, "attempt")
            let attempt = body.attempt ?? 1
            let prompt = FixPrompt(code: body.code, error: body.errorMessage, attempt: attempt,
                                   isLogicError: body.isLogicError ?? false)
            let completion = try await generation.complete(prompt.text, model: body.model,
                                                           options: GenerationOptions(temperature: 0))
            return try JSONResponse.make(FixCodeAnswer(fixedCode: CodeExtraction.python(from: completion.text),
                                                       fullResponse: completion.text, promptType: prompt.kind,
                                                       attempt: attempt, model: completion.model))
        }
        router.post("/fix-and-run") { request, context in
            let body = try JSONBody.decode(FixAndRunBody.self,
                                           from: try await JSONBody.read(request, limit: maxBodyBytes), root: "body")
            try BodyCheck.nonEmpty(body.code, "code")
            try BodyCheck.model(body.model)
            try BodyCheck.range(body.maxAttempts, 0...5, "max_attempts")
            do {
                let outcome = try await fixAndRun.run(
                    code: body.code, stdin: body.stdin, profile: body.profile,
                    maxAttempts: body.maxAttempts ?? FixAndRun.defaultMaxAttempts, model: body.model,
                    requester: try Requester.of(request.headers),
                    requestID: RequestIdentifier.of(request, context: context))
                return try JSONResponse.make(outcome)
            } catch {
                throw ServiceError(error)
            }
        }
    }
}

struct FixCodeAnswer: Encodable {
    var fixedCode: String
    var fullResponse: String
    var promptType: FixPrompt.Kind
    var attempt: Int
    var model: String

    enum CodingKeys: String, CodingKey {
        case attempt, model
        case fixedCode = "fixed_code"
        case fullResponse = "full_response"
        case promptType = "prompt_type"
    }
}
