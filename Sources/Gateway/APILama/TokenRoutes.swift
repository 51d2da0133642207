import Hummingbird
import ServiceHTTP

/// Token management over HTTP, for admins (`AccessPolicy`): the same operations as `apilama token`.
///
/// - `GET /api/tokens` -> `{tokens: [{name, role, created_at, revoked_at}]}`
/// - `POST /api/tokens {name, role}` -> 201 `{name, role, token}`: the token is shown this once.
/// - `DELETE /api/tokens/{name}` -> `{status: "ok", name}`: revoked, and its sessions ended.
struct TokenRoutes {
    let store: TokenStore

    struct NewToken: Codable {
        var name: String
        var role: Role
    }

    struct Created: Encodable {
        var name: String
        var role: Role
        var token: String
    }

    struct Listing: Encodable {
        var tokens: [TokenInfo]
    }

    struct Revoked: Encodable {
        var status = "ok"
        var name: String
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/tokens") { _, _ in try JSONResponse.make(Listing(tokens: try await store.list())) }
        router.post("/api/tokens") { request, _ in
            let wanted = try JSONBody.decode(NewToken.self, from: try await JSONBody.read(request, limit: 64 * 1024),
                                             root: "body")
            let token = try await Self.translating { try await store.create(name: wanted.name, role: wanted.role) }
            return try JSONResponse.make(Created(name: wanted.name, role: wanted.role, token: token), status: .created)
        }
        router.delete("/api/tokens/{name}") { _, context in
            let name = try context.parameters.require("name")
            try await Self.translating { try await store.revoke(name: name) }
            return try JSONResponse.make(Revoked(name: name))
        }
    }

    /// Runs `body`, turning a `TokenStoreError` into its HTTP error.
    private static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as TokenStoreError {
            switch error {
            case .invalidName, .reservedName: throw ServiceError.invalidField("name", String(describing: error))
            case .nameTaken: throw ServiceError(status: .conflict, code: "name_taken", message: error.description,
                                                field: "name")
            case .unknownName: throw ServiceError.notFound(error.description)
            }
        }
    }
}
