import ArgumentParser

/// `bexy`: run untrusted Python in single-use sandboxes.
@main
struct BexyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bexy",
        abstract: "Run untrusted Python code in a hardened, single-use Linux sandbox.",
        subcommands: [ExecCommand.self, ProfilesCommand.self, AuditCommand.self, DoctorCommand.self, ServeCommand.self])
}
