import APILama
import ArgumentParser
import ServiceKit

/// `apilama token`: manage the gateway's API tokens in its database (`APILAMA_DB`), whether or not it runs.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

/// The token database to open: `--db`, else `APILAMA_DB`, else `$HOME/.pylama/apilama.db`.
struct TokenDatabaseOptions: ParsableArguments {
    @Option(help: "The gateway's token database (default APILAMA_DB, $HOME/.pylama/apilama.db).")
    var db: String?

    func open() throws -> TokenStore {
        if let db { return try TokenStore(path: db) }
        let settings: PyLamaConfiguration
        do {
            settings = try PyLamaConfiguration.load()
        } catch {
            throw ValidationError("\(error)")
        }
        return try TokenStore(path: APILamaConfiguration.databasePath(settings: settings))
    }
}

/// Runs `body`, turning a refused token operation into a one-line error (exit code 1).
func reportingTokenErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as TokenStoreError {
        printError("apilama: \(error)")
        throw ExitCode.failure
    }
}
