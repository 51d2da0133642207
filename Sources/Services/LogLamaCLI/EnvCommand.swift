import ArgumentParser
import ServiceKit

/// `loglama env`: the effective configuration, secrets masked.
struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env", abstract: "Show the effective configuration (secrets masked).")

    func run() throws {
        let configuration = try PyLamaConfiguration.load()  // a bad value: one line naming the key, exit 1
        print("# central file: \(configuration.centralPath)")
        for (key, value) in configuration.masked { print("\(key)=\(value)") }
    }
}
