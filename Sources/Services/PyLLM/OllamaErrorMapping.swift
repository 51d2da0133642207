import Ollama
import ServiceHTTP

extension ServiceError {
    /// The HTTP answer for an Ollama failure: 503 when it is down, 504 when it hangs, 404 for a model it does not
    /// have, 502 for anything else it answered wrongly. Never a 500: none of these is PyLLM's own fault.
    public init(_ error: OllamaError) {
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

extension ServiceError {
    /// Any failure inside a route as an HTTP error: an Ollama failure mapped, a service error as it is.
    public init(_ error: any Error) {
        if let error = error as? ServiceError {
            self = error
        } else if let error = error as? OllamaError {
            self.init(error)
        } else {
            self = .internalError("\(error)")
        }
    }
}
