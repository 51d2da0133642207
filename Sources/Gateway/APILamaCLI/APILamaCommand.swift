import ArgumentParser

/// `apilama`: the PyLama API gateway and its token administration.
@main
struct APILamaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apilama",
        abstract: "The PyLama API gateway: routing, authentication, CORS and rate limits in front of the services.",
        subcommands: [ServeCommand.self, TokenCommand.self])
}
