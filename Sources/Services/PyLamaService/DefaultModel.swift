import Ollama
import ServiceKit

/// The model generations use when a request names none: `OLLAMA_MODEL` at start, changed by
/// `POST /models/default`, which also writes it to the central `.env` so that every service started later uses it.
actor DefaultModel {
    private var configuration: OllamaConfiguration
    /// The central `.env` to keep the choice in (nil: in memory only, as in tests).
    private let centralPath: String?

    init(configuration: OllamaConfiguration, centralPath: String?) {
        self.configuration = configuration
        self.centralPath = centralPath
    }

    /// A client whose default model is the current choice.
    var client: OllamaClient { OllamaClient(configuration: configuration) }

    var name: String { configuration.defaultModel }

    /// Make `model` the default, here and in the central `.env`.
    func set(_ model: String) throws(ConfigurationError) {
        if let centralPath {
            var file = try EnvironmentFile.load(centralPath) ?? EnvironmentFile()
            file.set("OLLAMA_MODEL", model)
            try file.write(to: centralPath)
        }
        configuration.defaultModel = model
    }
}
