import ArgumentParser
import Contracts
import ServiceKit

/// `pylama models [list|show NAME|pull NAME|delete NAME|default NAME] [--json]`, through the local service.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, show, pull, delete Ollama's models, or choose the default.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case list, show, pull, delete, `default`
    }

    @Argument(help: "list (default), show, pull, delete or default.")
    var action: Action = .list

    @Argument(help: "The model's name (all but list).")
    var name: String?

    @Flag(help: "Print the service's JSON answer.")
    var json = false

    func validate() throws {
        if action != .list && name == nil { throw ValidationError("\(action.rawValue) needs a model name") }
    }

    func run() async throws {
        let client = ServiceClient(service: "pylama", displayName: "PyLama", startCommand: "pylama serve",
                                   configuration: try PyLamaConfiguration.load())
        let path = "/models/" + (name.map(ServiceClient.encode) ?? "")
        let answer: JSONValue
        switch action {
        case .list: answer = try await client.get("/models", timeoutSeconds: 60)
        case .show: answer = try await client.get(path, timeoutSeconds: 60)
        case .delete: answer = try await client.delete(path)
        case .default: answer = try await client.post("/models/default", body: .object(["name": .string(name ?? "")]))
        case .pull: answer = try await client.post("/models/pull", body: .object(["name": .string(name ?? "")]),
                                                   timeoutSeconds: 3600)
        }
        if json || action == .show {
            print(answer.serialized)
        } else if action == .list {
            let preferred = answer["default"]?.text ?? ""
            for model in answer["models"]?.array ?? [] {
                let name = model["name"]?.text ?? "?"
                print(name + (name == preferred ? "  (default)" : ""))
            }
        } else {
            print(answer["status"]?.text ?? answer.serialized)
        }
    }
}
