import Ollama
import ServiceHTTP
import ServiceKit

/// PyLLM's settings, from the central `.env` (`PyLamaConfiguration`):
///
/// - `PYLLM_HOST`, `PYLLM_PORT` (8001): where it listens;
/// - `PYLAMA_INTERNAL_TOKEN`: required on every call but `/health`, and sent to BEXY;
/// - `BEXY_URL`: where fix-and-run runs programs;
/// - `PYLLM_MAX_BODY_BYTES` (1 MiB): larger request bodies (a huge prompt) get 413;
/// - the `OLLAMA_*` keys (`OllamaConfiguration`).
public struct PyLLMConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var internalToken: String
    public var bexyURL: String
    public var maxBodyBytes: Int
    public var ollama: OllamaConfiguration
    public var connections = ServiceConnectionPolicy()

    public static let defaultMaxBodyBytes = 1 << 20

    public init(host: String, port: Int, internalToken: String, bexyURL: String,
                maxBodyBytes: Int = defaultMaxBodyBytes, ollama: OllamaConfiguration) {
        self.host = host
        self.port = port
        self.internalToken = internalToken
        self.bexyURL = bexyURL
        self.maxBodyBytes = maxBodyBytes
        self.ollama = ollama
    }

    /// The configuration of the service `name` (`pyllm` or `pylama`: the key prefix of its host and port).
    ///
    /// - Throws: `ConfigurationError` naming the key whose value is unusable or missing.
    public static func load(from settings: PyLamaConfiguration, service name: String, host: String? = nil,
                            port: Int? = nil) throws(ConfigurationError) -> PyLLMConfiguration {
        let prefix = name.uppercased()
        guard let token = settings["PYLAMA_INTERNAL_TOKEN"], !token.isEmpty else {
            throw ConfigurationError(key: "PYLAMA_INTERNAL_TOKEN", path: settings.centralPath,
                                     message: "is missing; run `loglama init` to generate it")
        }
        let ollama: OllamaConfiguration
        do {
            ollama = try OllamaConfiguration(values: settings.values)
        } catch {
            throw ConfigurationError(key: error.key, path: settings.centralPath, message: "is \(error.value): expected \(error.expected)")
        }
        var maxBody = defaultMaxBodyBytes
        if let text = settings["\(prefix)_MAX_BODY_BYTES"] {
            guard let value = Int(text), value >= 1024 else {
                throw ConfigurationError(key: "\(prefix)_MAX_BODY_BYTES", path: settings.centralPath,
                                         message: "is \(text): expected a whole number of bytes, at least 1024")
            }
            maxBody = value
        }
        return PyLLMConfiguration(
            host: host ?? settings["\(prefix)_HOST"] ?? "127.0.0.1",
            port: port ?? settings["\(prefix)_PORT"].flatMap(Int.init) ?? Ecosystem.service(name)?.defaultPort ?? 0,
            internalToken: token, bexyURL: settings.url(of: "bexy"), maxBodyBytes: maxBody, ollama: ollama)
    }
}
