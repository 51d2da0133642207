import Foundation
import TestSupport

/// The real `apilama` binary, black box: built next to the test runner.
enum APILamaBinary {
    static let path = TestHost.binary("apilama")

    /// Starts `apilama arguments` with exactly `environment`, in `directory`; stdout and stderr apart.
    static func start(_ arguments: [String], environment: [String: String],
                      directory: String) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return (process, stdout, stderr)
    }

    /// Runs `apilama arguments` to the end.
    static func run(_ arguments: [String], environment: [String: String],
                    directory: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let (process, stdout, stderr) = try start(arguments, environment: environment, directory: directory)
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, out, err)
    }
}
