import Foundation
import TestSupport

/// The real `loglama` binary, black box: built next to the test runner (.build/<triple>/debug/).
enum LogLamaBinary {
    static let path = TestHost.binary("loglama")

    /// Starts `loglama arguments` with exactly `environment`, stdout and stderr on one pipe.
    static func start(_ arguments: [String], environment: [String: String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }
}

/// Runs `loglama arguments` to the end, off the Swift concurrency pool (a test's in-process server needs that pool to
/// answer the very binary the test waits for).
func runLogLama(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
    try await runBinary("loglama", arguments, environment: environment)
}
