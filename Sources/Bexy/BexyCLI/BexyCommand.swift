import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `bexy`: run untrusted Python in single-use sandboxes.
@main
struct BexyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bexy",
        abstract: "Run untrusted Python code in a hardened, single-use Linux sandbox.",
        subcommands: [ExecCommand.self, ProfilesCommand.self, AuditCommand.self, DoctorCommand.self, ServeCommand.self])

    /// Parse, then run. A usage error (an unknown option, a missing or malformed value, a failed `validate()`)
    /// exits 2 like every bad request, as the README promises, not ArgumentParser's 64 (EX_USAGE). Once a command
    /// runs, its exit code is its own (a program that exits 64 makes `bexy exec` exit 64).
    static func main() {
        if let code = QuickExec.run(Array(CommandLine.arguments.dropFirst())) { Glibc.exit(code) }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            writeAll(2, Array((fullMessage(for: error) + "\n").utf8))
            Glibc.exit(2)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
