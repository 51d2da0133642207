import ArgumentParser

/// `weblama`: the web front end's static server (`serve`). The page itself is used through the gateway.
@main
struct WebLamaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weblama", abstract: "The PyLama web front end: editor, files, Run, logs (used through APILama).",
        subcommands: [ServeCommand.self], defaultSubcommand: ServeCommand.self)
}
