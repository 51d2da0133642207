import ArgumentParser
import ServiceKit

/// `pyllm models [--json]`: the models Ollama has, and the default.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List Ollama's installed models.")

    @Flag(help: "Print the service's JSON answer.")
    var json = false

    func run() async throws {
        let client = ServiceClient.pyllm(configuration: try PyLamaConfiguration.load())
        let answer = try await client.get("/models", timeoutSeconds: 60)
        if json {
            print(answer.serialized)
            return
        }
        let preferred = answer["default"]?.text ?? ""
        for model in answer["models"]?.array ?? [] {
            let name = model["name"]?.text ?? "?"
            print(name + (name == preferred ? "  (default)" : ""))
        }
    }
}

extension ServiceClient {
    /// The terminal's window on the local PyLLM service (`PYLLM_URL`).
    static func pyllm(configuration: PyLamaConfiguration) -> ServiceClient {
        ServiceClient(service: "pyllm", displayName: "PyLLM", startCommand: "pyllm serve", configuration: configuration)
    }
}
