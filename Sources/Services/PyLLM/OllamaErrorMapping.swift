import Ollama
import ServiceHTTP

extension ServiceError {
    /// The HTTP answer for an Ollama failure: 503 when it is down, 504 when it hangs, 404 for a model it does not
    /// have, 502 for anything else it answered wrongly. Never a 500: none of these is PyLLM's own fault.
    init(_ error: OllamaError) {
        switch error {
        case .unreachable:
            self.init(status: .serviceUnavailable, code: "ollama_unavailable", message: error.description)
        case .timedOut:
            self.init(status: .gatewayTimeout, code: "ollama_timeout", message: error.description)
        case .modelNotFound:
            self.init(status: .notFound, code: "model_not_found", message: error.description, field: "model")
        case .upstream, .badResponse:
            self.init(status: .badGateway, code: "ollama_error", message: error.description)
        }
    }
}
