import ArgumentParser
import ServiceKit

/// `loglama init`: write the central `.env` (every service's host, port and URL, fresh secrets) and create
/// SheLLama's default workspace (`SHELLAMA_ROOT/default`, owned by `SHELLAMA_UID`/`SHELLAMA_GID`).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the central .env ($PYLAMA_ENV, default ~/.pylama/.env); existing values are kept.")

    @Flag(help: "Replace existing values (and generate new secrets).")
    var force = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        let path = PyLamaConfiguration.centralPath(environment: environment)
        let report = try CentralEnvironment.initialize(path: path, force: force, environment: environment)
        print("\(path): \(report.written.count) values written, \(report.kept.count) kept"
              + (report.kept.isEmpty || force ? "" : " (use --force to replace them)"))
        let workspaces = try WorkspaceSettings(configuration: PyLamaConfiguration.load(environment: environment))
        do {
            print("default workspace: \(try workspaces.createWorkspace())")
        } catch {
            // Not fatal: the .env is written; without root the owner cannot be SHELLAMA_UID unless it is the caller.
            print("default workspace not created: \(error) (run `loglama init` as root, or set SHELLAMA_UID and "
                  + "SHELLAMA_GID to your own ids)")
        }
    }
}
