import APILama
import ArgumentParser

/// `apilama token list`: every token's name, role, creation and revocation time; never a secret.
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens.")

    @OptionGroup var database: TokenDatabaseOptions

    func run() async throws {
        let tokens = try await database.open().list()
        let width = max(4, tokens.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        print(pad("NAME", width) + "  " + pad("ROLE", 6) + "  " + pad("CREATED", 24) + "  REVOKED")
        for token in tokens {
            print(pad(token.name, width) + "  " + pad(token.role.rawValue, 6) + "  " + pad(token.createdAt, 24) + "  "
                + (token.revokedAt ?? "-"))
        }
    }
}
