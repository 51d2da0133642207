import Foundation

/// The environment of a program configured only by a central `.env`: this process's environment without any
/// `BEXY_*` or `PYLAMA_*` variable, and `PYLAMA_ENV` naming `<directory>/central.env`, written with `entries`.
///
/// Tests use it to show that a key given only in the central file reaches the program that reads it.
public func centralFileEnvironment(_ entries: [String: String], in directory: String) throws -> [String: String] {
    let text = entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
    try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/central.env"))
    var environment = ProcessInfo.processInfo.environment.filter {
        !$0.key.hasPrefix("BEXY_") && !$0.key.hasPrefix("PYLAMA_")
    }
    environment["PYLAMA_ENV"] = directory + "/central.env"
    return environment
}
