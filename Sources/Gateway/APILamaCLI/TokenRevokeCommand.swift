import APILama
import ArgumentParser

/// `apilama token revoke NAME`: the token stops working on the gateway's next request, and its sessions end.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token.")

    @Argument(help: "The token's name.")
    var name: String

    @OptionGroup var database: TokenDatabaseOptions

    func run() async throws {
        let store = try database.open()
        try await reportingTokenErrors {
            try await store.revoke(name: name)
            print("token '\(name)' revoked")
        }
    }
}
