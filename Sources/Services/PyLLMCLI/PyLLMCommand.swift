import ArgumentParser

/// `pyllm`: the PyLLM service (`pyllm serve`) and a terminal's way to its code generation and models.
@main
struct PyLLMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pyllm",
        abstract: "LLM operations over Ollama: generate code, fix it in the BEXY sandbox until it runs.",
        subcommands: [ServeCommand.self, CodeCommand.self, ModelsCommand.self])
}
