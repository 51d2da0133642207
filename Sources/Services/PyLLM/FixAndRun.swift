import Contracts
import Ollama

/// The fix loop of `POST /fix-and-run` (and PyLama's markdown workflow): run the program in BEXY; while it fails,
/// ask the model for a fix with the error (`FixPrompt`'s escalating strategy) and run the fix in BEXY. Every
/// attempt is kept. Nothing the model writes runs anywhere but in the sandbox.
public struct FixAndRun: Sendable {
    /// One run of the loop: the code that ran, how it was obtained, and BEXY's result.
    public struct Attempt: Encodable, Sendable {
        /// 0 is the program as given; 1... are fixes.
        public var attempt: Int
        public var code: String
        /// How this code was asked for (nil for the original).
        public var promptType: FixPrompt.Kind?
        /// The model's whole answer that this code was extracted from (nil for the original).
        public var fullResponse: String?
        public var result: ExecutionResult

        enum CodingKeys: String, CodingKey {
            case attempt, code, result
            case promptType = "prompt_type"
            case fullResponse = "full_response"
        }
    }

    /// The loop's outcome: `success` when some attempt ran without error, else `failed`.
    public struct Outcome: Encodable, Sendable {
        public var status: String
        /// The last attempt's code (the fix, when one worked).
        public var finalCode: String
        /// Whether a fix (not the original program) is what succeeded.
        public var fixed: Bool
        public var attempts: [Attempt]
        public var model: String?

        enum CodingKeys: String, CodingKey {
            case status, fixed, attempts, model
            case finalCode = "final_code"
        }
    }

    public static let defaultMaxAttempts = 3

    let ollama: OllamaClient
    let sandbox: any SandboxRunner

    public init(ollama: OllamaClient, sandbox: any SandboxRunner) {
        self.ollama = ollama
        self.sandbox = sandbox
    }

    /// Run `code`, then up to `maxAttempts` fixes.
    public func run(code: String, stdin: String?, profile: String?, maxAttempts: Int, model: String?,
                    requester: String, requestID: String) async throws -> Outcome {
        var attempts: [Attempt] = []
        var current = code
        var kind: FixPrompt.Kind?
        var answer: String?
        var answeringModel: String?
        var number = 0
        while true {
            let result = try await sandbox.run(code: current, stdin: stdin, profile: profile, requester: requester,
                                               requestID: requestID)
            attempts.append(Attempt(attempt: number, code: current, promptType: kind, fullResponse: answer,
                                    result: result))
            if result.success || number == maxAttempts {
                return Outcome(status: result.success ? "success" : "failed", finalCode: current,
                               fixed: result.success && number > 0, attempts: attempts, model: answeringModel)
            }
            let prompt = FixPrompt(code: current, error: Self.errorText(of: result),
                                   attempt: min(number + 1, FixPrompt.maxAttempt))
            let completion = try await ollama.generate(prompt: prompt.text, model: model,
                                                       options: GenerationOptions(temperature: 0))
            answeringModel = completion.model
            kind = prompt.kind
            answer = completion.text
            current = CodeExtraction.python(from: completion.text)
            number += 1
        }
    }

    /// What the model is told about a failed run: the traceback, or the limit that stopped it.
    static func errorText(of result: ExecutionResult) -> String {
        var parts: [String] = []
        if !result.stderr.isEmpty { parts.append(String(result.stderr.suffix(4000))) }
        if let type = result.errorType, let message = result.errorMessage, result.stderr.isEmpty {
            parts.append("\(type): \(message)")
        }
        if let limit = result.limitHit { parts.append("The sandbox stopped it: the \(limit) limit was reached.") }
        if parts.isEmpty { parts.append("It exited with status \(result.exitCode.map(String.init) ?? "unknown").") }
        return parts.joined(separator: "\n")
    }
}
