import Foundation

/// A server process a test starts, once it has printed its `<name> listening on HOST:PORT` line.
/// Sendable by hand: its members are set once at start and only read afterwards (Process and Pipe are thread-safe
/// for that use).
public struct ListeningProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    /// The write end of the process's stdin, held open while the test runs: a server that exits at end of input
    /// (the Ollama stand-in) goes with the test process, even when that is killed.
    let input: Pipe

    /// Why it never listened: it exited first (with what it printed), or took longer than the deadline.
    public struct Failed: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Start `executable` with exactly `environment`, and wait (up to `seconds`) for a stdout line starting with
    /// `readyPrefix` and ending in `:PORT`.
    public static func start(_ executable: String, arguments: [String], environment: [String: String],
                             directory: String, readyPrefix: String, seconds: Double = 60) async throws
        -> ListeningProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        let reader = output.fileHandleForReading
        let port: Int = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var text = ""
                while true {
                    let data = reader.availableData
                    if data.isEmpty { throw Failed(description: "\(executable) exited before listening: \(text)") }
                    text += String(decoding: data, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(readyPrefix) }),
                       let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                        return port
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                process.terminate()
                throw Failed(description: "\(executable) did not listen within \(seconds) s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        return ListeningProcess(process: process, port: port, input: input)
    }

    /// SIGTERM, then wait for it to exit.
    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
