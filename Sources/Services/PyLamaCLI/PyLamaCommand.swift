import ArgumentParser

/// `pylama`: the PyLama service (`pylama serve`), Ollama's models, and the markdown workflow from a terminal.
@main
struct PyLamaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pylama", abstract: "Ollama model management and markdown runs (each Python block in BEXY).",
        subcommands: [ServeCommand.self, ModelsCommand.self, RunCommand.self])
}
