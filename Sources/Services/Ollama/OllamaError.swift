/// What went wrong talking to Ollama, in words a caller can act on. `PyLLM` maps each case to an HTTP status
/// (503, 504, 404, 502).
public enum OllamaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection to Ollama at `url` (refused, unresolvable, reset before an answer).
    case unreachable(url: String, detail: String)
    /// Ollama did not answer within the configured timeout (`OLLAMA_TIMEOUT`).
    case timedOut(url: String, seconds: Int)
    /// Ollama has no model of this name (pull it first).
    case modelNotFound(String)
    /// Ollama answered with an error status and message.
    case upstream(status: Int, message: String)
    /// Ollama's answer was not what its API documents.
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail):
            "Ollama is not reachable at \(url) (\(detail)); start it (ollama serve) or set OLLAMA_HOST"
        case .timedOut(let url, let seconds):
            "Ollama at \(url) did not answer within \(seconds) s (OLLAMA_TIMEOUT)"
        case .modelNotFound(let name):
            "Ollama has no model '\(name)'; pull it first (POST /models/pull, or ollama pull \(name))"
        case .upstream(let status, let message):
            "Ollama answered HTTP \(status): \(message)"
        case .badResponse(let detail):
            "Ollama's answer could not be read: \(detail)"
        }
    }
}
