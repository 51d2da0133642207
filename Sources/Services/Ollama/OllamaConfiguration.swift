import Foundation

/// Where Ollama is and which models to use, from the central `.env`:
///
/// - `OLLAMA_HOST` (default `http://127.0.0.1:11434`; a bare `host:port` gets `http://`);
/// - `OLLAMA_TIMEOUT`: seconds for one whole call, a streamed generation included (default 120);
/// - `OLLAMA_MODEL`: the model a request that names none uses (default `llama3.2`);
/// - `OLLAMA_FALLBACK_MODELS`: comma-separated models tried in order when the default is not installed.
public struct OllamaConfiguration: Sendable, Equatable {
    public var host: String
    public var timeoutSeconds: Int
    public var defaultModel: String
    public var fallbackModels: [String]

    public static let defaultHost = "http://127.0.0.1:11434"
    public static let defaultTimeoutSeconds = 120
    public static let defaultModelName = "llama3.2"

    public init(host: String = defaultHost, timeoutSeconds: Int = defaultTimeoutSeconds,
                defaultModel: String = defaultModelName, fallbackModels: [String] = []) {
        self.host = host
        self.timeoutSeconds = timeoutSeconds
        self.defaultModel = defaultModel
        self.fallbackModels = fallbackModels
    }

    /// A value of the configuration that cannot be used, naming its key.
    public struct InvalidValue: Error, Equatable, CustomStringConvertible {
        public var key: String
        public var value: String
        public var expected: String
        public var description: String { "\(key)=\(value): expected \(expected)" }
    }

    /// Read the `OLLAMA_*` keys of `values` (the effective configuration), over the defaults.
    public init(values: [String: String]) throws(InvalidValue) {
        var host = values["OLLAMA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultHost
        if !host.hasPrefix("http://") && !host.hasPrefix("https://") { host = "http://" + host }
        while host.hasSuffix("/") { host.removeLast() }
        var timeout = Self.defaultTimeoutSeconds
        if let text = values["OLLAMA_TIMEOUT"], !text.isEmpty {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw InvalidValue(key: "OLLAMA_TIMEOUT", value: text, expected: "whole seconds, 1-3600")
            }
            timeout = seconds
        }
        let model = values["OLLAMA_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultModelName
        let fallbacks = (values["OLLAMA_FALLBACK_MODELS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(host: host, timeoutSeconds: timeout, defaultModel: model, fallbackModels: fallbacks)
    }
}

extension OllamaConfiguration {
    /// The same configuration with another timeout.
    func with(timeoutSeconds: Int) -> OllamaConfiguration {
        var copy = self
        copy.timeoutSeconds = timeoutSeconds
        return copy
    }
}
