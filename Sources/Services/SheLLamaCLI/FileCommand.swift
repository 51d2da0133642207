import ArgumentParser
import Contracts
import FoundationEssentials
import SheLLama

/// `shellama file list|read|write|delete`.
struct FileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file", abstract: "List, read, write or delete workspace files.",
        subcommands: [List.self, Read.self, Write.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a directory's files (GET /files).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The directory (default the workspace's top).") var directory = ""
        @Option(help: "Only names matching this fnmatch pattern.") var pattern = "*"

        func run() async throws {
            let answer = try await options.client().call(.GET, "/files", query: [
                ("workspace", options.workspace), ("directory", directory), ("pattern", pattern)])
            options.show(answer, text: ClientOptions.listing)
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a file (GET /file).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The file's path in the workspace.") var filename: String

        func run() async throws {
            let answer = try await options.client().call(.GET, "/file", query: [
                ("workspace", options.workspace), ("filename", filename)])
            if options.json || answer["encoding"]?.string != "base64" {
                options.show(answer) { $0["content"]?.string ?? "" }
            } else {
                let bytes = Data(base64Encoded: answer["content"]?.string ?? "") ?? Data()
                FileHandleOutput.write(Array(bytes))
            }
        }
    }

    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a file (POST /file) from --content or standard input.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The file's path in the workspace.") var filename: String
        @Option(help: "The content (default: standard input).") var content: String?
        @Flag(help: "Replace an existing file.") var overwrite = false

        func run() async throws {
            let text = content ?? FileHandleOutput.readStandardInput()
            let answer = try await options.client().call(.POST, "/file", body: .object([
                "workspace": .string(options.workspace), "filename": .string(filename), "content": .string(text),
                "overwrite": .bool(overwrite)]))
            options.show(answer) { "wrote \($0["filename"]?.string ?? filename) (\($0["size"]?.int ?? 0) bytes)" }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a file (DELETE /file).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The file's path in the workspace.") var filename: String

        func run() async throws {
            let answer = try await options.client().call(.DELETE, "/file", query: [
                ("workspace", options.workspace), ("filename", filename)])
            options.show(answer) { "deleted \($0["filename"]?.string ?? filename)" }
        }
    }
}
