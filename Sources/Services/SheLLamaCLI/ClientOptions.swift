import ArgumentParser
import Contracts
import SheLLama
import ServiceKit

/// The options every client subcommand shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "The workspace (default `default`).")
    var workspace = WorkspaceSettings.defaultWorkspace

    @Flag(help: "Print SheLLama's JSON answer instead of text.")
    var json = false

    /// The client of the local SheLLama (`SHELLAMA_URL` in the central `.env`, the internal token).
    func client() throws -> ServiceClient {
        ServiceClient(service: "shellama", displayName: "SheLLama", startCommand: "loglama start-all or shellama serve",
                      configuration: try PyLamaConfiguration.load())
    }

    /// Print `answer` as JSON when `--json`, else `text(answer)`.
    func show(_ answer: JSONValue, text: (JSONValue) -> String) {
        print(json ? answer.serialized : text(answer))
    }

    /// A directory listing as lines of `type size path`.
    static func listing(_ answer: JSONValue) -> String {
        answer["files"]?.array.map { entry in
            let type = entry["type"]?.string ?? "?"
            let size = entry["size"]?.int.map(String.init) ?? "-"
            return "\(type.padding(toLength: 9, withPad: " ", startingAt: 0)) \(size) \(entry["path"]?.string ?? "")"
        }.joined(separator: "\n") ?? ""
    }
}
