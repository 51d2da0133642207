import Contracts

/// Sampling options of a generation, as Ollama's `options` object names them.
public struct GenerationOptions: Codable, Sendable, Equatable {
    /// 0 makes the answer deterministic.
    public var temperature: Double?
    /// The most tokens to generate (Ollama's `num_predict`).
    public var maxTokens: Int?
    public var seed: Int?

    public init(temperature: Double? = nil, maxTokens: Int? = nil, seed: Int? = nil) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case temperature, seed
        case maxTokens = "num_predict"
    }
}

/// One message of a chat.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A finished generation: the whole text and what Ollama counted.
public struct Completion: Sendable, Equatable {
    /// The model that answered (after any fallback).
    public var model: String
    public var text: String
    /// Tokens generated (Ollama's `eval_count`).
    public var tokensGenerated: Int
    /// Tokens of the prompt (Ollama's `prompt_eval_count`).
    public var promptTokens: Int
    /// Why generation stopped: `stop`, `length`, ...
    public var doneReason: String?

    public init(model: String, text: String, tokensGenerated: Int, promptTokens: Int, doneReason: String?) {
        self.model = model
        self.text = text
        self.tokensGenerated = tokensGenerated
        self.promptTokens = promptTokens
        self.doneReason = doneReason
    }
}

/// One piece of a streamed generation: some text, and on the last piece the counts.
public struct CompletionChunk: Sendable, Equatable {
    public var text: String
    /// True on the last chunk, which carries `final`.
    public var done: Bool
    /// The whole completion's counts, on the last chunk only (its `text` is empty: the pieces came before).
    public var final: Completion?
}

/// An installed model, as `/api/tags` lists it.
public struct InstalledModel: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int
    public var digest: String
    public var modifiedAt: String
    public var details: JSONValue?

    enum CodingKeys: String, CodingKey {
        case name, size, digest, details
        case modifiedAt = "modified_at"
    }
}

/// One line of `/api/pull`'s progress.
public struct PullProgress: Codable, Sendable, Equatable {
    public var status: String
    public var digest: String?
    public var total: Int?
    public var completed: Int?
}

/// The body of `/api/generate` and `/api/chat` (one of `prompt` or `messages`).
struct GenerationBody: Encodable {
    var model: String
    var prompt: String?
    var system: String?
    var messages: [ChatMessage]?
    var stream: Bool
    var options: GenerationOptions?
}

/// One object of `/api/generate`'s or `/api/chat`'s answer (a streamed line, or the whole answer).
struct GenerationLine: Decodable {
    var model: String?
    var response: String?
    var message: ChatMessage?
    var done: Bool?
    var doneReason: String?
    var evalCount: Int?
    var promptEvalCount: Int?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case model, response, message, done, error
        case doneReason = "done_reason"
        case evalCount = "eval_count"
        case promptEvalCount = "prompt_eval_count"
    }

    /// The text this line adds.
    var text: String { response ?? message?.content ?? "" }
}
