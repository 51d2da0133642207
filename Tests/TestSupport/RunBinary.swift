import Foundation

/// Runs the built executable `name` (beside the test runner) with `arguments` and exactly `environment`, off the
/// test's thread; its exit status and its standard output and error together.
public func runBinary(_ name: String, _ arguments: [String], environment: [String: String]) async throws
    -> (status: Int32, output: String) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: TestHost.binary(name))
                process.arguments = arguments
                process.environment = environment
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                try process.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return (process.terminationStatus, output)
            })
        }
    }
}
