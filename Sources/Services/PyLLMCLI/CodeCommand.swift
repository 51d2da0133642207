import ArgumentParser
import Contracts
import ServiceKit

/// `pyllm code "TASK" [--template T] [--model M] [--run] [--json]`: generate a program with the local PyLLM
/// service; with `--run`, run it in BEXY through the fix loop and print the attempts.
struct CodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code", abstract: "Generate Python code for a task (and run it in the sandbox with --run).")

    @Argument(help: "What the program should do.")
    var prompt: String

    @Option(help: "Prompt template: basic, platform_aware, dependency_aware, testable, secure, performance, pep8.")
    var template = "basic"

    @Option(help: "Ollama model (default OLLAMA_MODEL).")
    var model: String?

    @Flag(name: .customLong("run"), help: "Run the code in BEXY and fix it until it runs (at most 3 fixes).")
    var runInSandbox = false

    @Flag(help: "Print the service's JSON answer instead of the code.")
    var json = false

    func run() async throws {
        let client = ServiceClient.pyllm(configuration: try PyLamaConfiguration.load())
        var body: [String: JSONValue] = ["prompt": .string(prompt), "template": .string(template)]
        if let model { body["model"] = .string(model) }
        let generated = try await client.post("/code", body: .object(body))
        guard runInSandbox else {
            print(json ? generated.serialized : generated["code"]?.text ?? "")
            return
        }
        var loop: [String: JSONValue] = ["code": generated["code"] ?? .string("")]
        if let model { loop["model"] = .string(model) }
        let outcome = try await client.post("/fix-and-run", body: .object(loop))
        if json {
            print(outcome.serialized)
        } else {
            for attempt in outcome["attempts"]?.array ?? [] {
                let result = attempt["result"]
                print("# attempt \(attempt["attempt"]?.text ?? "?") (\(attempt["prompt_type"]?.text ?? "original")):"
                      + " \(result?["status"]?.text ?? "?")")
            }
            print(outcome["final_code"]?.text ?? "")
        }
        if outcome["status"]?.text != "success" { throw ExitCode(1) }
    }
}
