import Contracts
import Foundation
import TestSupport
import Testing

/// The `shellama` client subcommands against a live SheLLama, configured only by a central `.env`
/// (`SHELLAMA_URL` through the port, the internal token).
@Suite struct CLITests {
    @Test func fileAndDirSubcommandsTalkToTheLocalService() async throws {
        let world = try SheLLamaWorld()
        try await world.withService { port in
            let environment = try centralFileEnvironment(
                ["SHELLAMA_PORT": String(port), "PYLAMA_INTERNAL_TOKEN": SheLLamaWorld.internalToken,
                 "SHELLAMA_ROOT": world.settings.root], in: world.directory)
            var run = try await Self.shellama(["dir", "create", "docs"], environment)
            #expect(run.status == 0 && run.output.contains("created docs"), "\(run.output)")
            run = try await Self.shellama(["file", "write", "docs/a.txt", "--content", "hello"], environment)
            #expect(run.status == 0 && run.output.contains("wrote docs/a.txt (5 bytes)"), "\(run.output)")
            run = try await Self.shellama(["file", "read", "docs/a.txt"], environment)
            #expect(run.output == "hello\n", "\(run.output)")
            run = try await Self.shellama(["file", "list", "docs", "--json"], environment)
            #expect(JSONValue.parse(run.output)?["files"]?[0]?["name"]?.string == "a.txt", "\(run.output)")
            run = try await Self.shellama(["dir", "list", "--workspace", "other"], environment)
            #expect(run.output.contains("secret.txt"), "\(run.output)")
            run = try await Self.shellama(["file", "read", "../canary.txt"], environment)
            #expect(run.status != 0 && run.output.contains("HTTP 403"), "\(run.output)")
            run = try await Self.shellama(["dir", "delete", "docs", "--recursive"], environment)
            #expect(run.status == 0, "\(run.output)")
        }
        world.expectCanariesIntact()
    }

    /// Runs `shellama arguments`, standard output and error together.
    static func shellama(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, output: String) {
        try await runBinary("shellama", arguments, environment: environment)
    }
}
