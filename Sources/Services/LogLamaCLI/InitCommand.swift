import ArgumentParser
import ServiceKit

/// `loglama init`: write the central `.env` (every service's host, port and URL, fresh secrets).
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
    }
}
