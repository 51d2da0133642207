import ArgumentParser

/// `loglama`: the ecosystem's first service and its command line: logging, the audit trail, the central
/// `.env`, and orchestration.
@main
struct LogLamaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loglama",
        abstract: "Central logging, the audit trail, and the PyLama ecosystem's configuration.",
        subcommands: [ServeCommand.self, AuditCommand.self, InitCommand.self, EnvCommand.self, CheckDepsCommand.self, LogsCommand.self,
                      StartAllCommand.self, StopAllCommand.self, StatusCommand.self, RestartCommand.self])
}
