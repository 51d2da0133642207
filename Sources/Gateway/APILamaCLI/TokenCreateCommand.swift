import APILama
import ArgumentParser

/// `apilama token create --name N --role R`: prints the new token on stdout, once; only its digest is stored.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token and print it (it is shown only this once).")

    @Option(help: "The token's name, passed to services as the requester (letters, digits, '.', '_', '-').")
    var name: String

    @Option(help: "admin, user or viewer.")
    var role: Role

    @OptionGroup var database: TokenDatabaseOptions

    func run() async throws {
        let store = try database.open()
        try await reportingTokenErrors {
            let token = try await store.create(name: name, role: role)
            print(token)
            printError("token '\(name)' (\(role.rawValue)) created: store it now, it cannot be shown again")
        }
    }
}

extension Role: ExpressibleByArgument {}
