import ArgumentParser
import Contracts
import SheLLama

/// `shellama dir create|delete|list`.
struct DirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dir", abstract: "Create, delete or list workspace directories.",
        subcommands: [Create.self, Delete.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a directory and its parents (POST /directory).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The directory's path in the workspace.") var path: String

        func run() async throws {
            let answer = try await options.client().call(.POST, "/directory", body: .object([
                "workspace": .string(options.workspace), "path": .string(path)]))
            options.show(answer) { ($0["created"]?.bool == true ? "created " : "exists: ") + path }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a directory (DELETE /directory).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The directory's path in the workspace.") var path: String
        @Flag(help: "Delete what it holds too.") var recursive = false

        func run() async throws {
            let answer = try await options.client().call(.DELETE, "/directory", query: [
                ("workspace", options.workspace), ("path", path), ("recursive", recursive ? "true" : "false")])
            options.show(answer) { _ in "deleted \(path)" }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a directory with sizes (GET /directory).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The directory (default the workspace's top).") var path = ""

        func run() async throws {
            let answer = try await options.client().call(.GET, "/directory", query: [
                ("workspace", options.workspace), ("path", path)])
            options.show(answer, text: ClientOptions.listing)
        }
    }
}
