import ArgumentParser
import Contracts
import SheLLama

#if canImport(Glibc)
import Glibc
#endif

/// `shellama shell <cmd>`: run a command in the workspace's sandbox (POST /shell); prints its output and exits
/// with its exit code.
struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "Run a shell command in the workspace, inside a BEXY sandbox.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The command line, run with /bin/sh -c.") var command: String
    @Option(help: "The working directory, relative to the workspace.") var cwd: String?
    @Option(help: "Seconds before the command is killed (the profile's limit at most).") var timeout: Double?

    func run() async throws {
        var body: [String: JSONValue] = ["workspace": .string(options.workspace), "command": .string(command)]
        if let cwd { body["cwd"] = .string(cwd) }
        if let timeout { body["timeout"] = .double(timeout) }
        let answer = try await options.client().call(.POST, "/shell", body: .object(body))
        if options.json {
            print(answer.serialized)
        } else {
            FileHandleOutput.write(Array((answer["output"]?.string ?? "").utf8))
            FileHandleOutput.write(Array((answer["error"]?.string ?? "").utf8), fd: 2)
            if answer["timed_out"]?.bool == true { FileHandleOutput.write(Array("shellama: timed out\n".utf8), fd: 2) }
        }
        let code = answer["exit_code"]?.int ?? 1
        if code != 0 { throw ExitCode(Int32(truncatingIfNeeded: code)) }
    }
}

/// Unbuffered writes and the whole of standard input.
enum FileHandleOutput {
    static func write(_ bytes: [UInt8], fd: Int32 = 1) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            offset += count
        }
    }

    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
