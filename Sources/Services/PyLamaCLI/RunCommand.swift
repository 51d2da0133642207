import ArgumentParser
import Contracts
import Foundation
import ServiceKit

/// `pylama run FILE.md [--fix] [--json]`: run every Python block of a markdown file in BEXY through the local
/// service; with `--fix`, failing blocks go through the fix loop and the file is rewritten with the fixes that
/// worked. Exit 1 when a block still fails.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a markdown file's Python blocks in the sandbox (and fix them with --fix).")

    @Argument(help: "The markdown file.")
    var file: String

    @Flag(help: "Fix failing blocks with the model and write the fixes into the file.")
    var fix = false

    @Flag(help: "Print the service's JSON answer.")
    var json = false

    func run() async throws {
        guard let markdown = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read \(file) as UTF-8 text")
        }
        let client = ServiceClient(service: "pylama", displayName: "PyLama", startCommand: "pylama serve",
                                   configuration: try PyLamaConfiguration.load())
        let answer = try await client.post("/execute", body: .object(["markdown": .string(markdown),
                                                                      "fix": .bool(fix)]), timeoutSeconds: 3600)
        let results = answer["results"]?.array ?? []
        if json {
            print(answer.serialized)
        } else {
            for result in results {
                let state = result["success"]?.bool == true
                    ? (result["fixed_code"]?.string != nil ? "fixed" : "ok") : "failed"
                print("block \(result["block_id"]?.text ?? "?"): \(state)")
                let output = result["output"]?.text ?? ""
                if !output.isEmpty { print(output, terminator: output.hasSuffix("\n") ? "" : "\n") }
            }
        }
        if fix, let updated = answer["updated_markdown"]?.string, updated != markdown {
            try updated.write(toFile: file, atomically: true, encoding: .utf8)
        }
        if results.contains(where: { $0["success"]?.bool != true }) { throw ExitCode(1) }
    }
}
