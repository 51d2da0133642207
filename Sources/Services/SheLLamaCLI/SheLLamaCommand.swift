import ArgumentParser

/// `shellama`: the SheLLama service (`serve`) and its command-line client (`file`, `dir`, `shell`), which talks to
/// the local service (`SHELLAMA_URL`, with the internal token from the central `.env`).
@main
struct SheLLamaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shellama", abstract: "Files, shell and git in a confined workspace; every command runs in BEXY.",
        subcommands: [ServeCommand.self, FileCommand.self, DirCommand.self, ShellCommand.self])
}
