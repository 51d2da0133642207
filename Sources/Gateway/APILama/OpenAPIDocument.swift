import Contracts
import Foundation
import Hummingbird
import ServiceHTTP

/// `GET /api/openapi.json` (open): an OpenAPI 3.1 description of every public route of the gateway and of the
/// service routes it forwards that have a fixed contract (BEXY's execute, jobs, health and profiles; LogLama's logs,
/// audit trail and stats).
///
/// The document is `Resources/openapi.json`, a resource of the target, read once when the gateway is built and
/// served byte-for-byte. Kept true by `OpenAPIConformanceTests`, which sends real requests and checks each status
/// and the required keys of each body against it (and that its `info.version` is `APILamaService.version`).
struct OpenAPIDocument: Sendable {
    private let file: StaticFile
    /// The methods of each documented path (for `MethodPolicyMiddleware`).
    let routes: DocumentedRoutes

    /// Reads the document from the target's bundle (`PyLama_APILama.resources`, next to the executable).
    ///
    /// - Throws: `MissingResource` when the bundle has no `openapi.json`: the gateway does not start without it.
    init() throws(MissingResource) {
        file = try StaticFile("openapi.json", in: .module, contentType: "application/json; charset=utf-8")
        routes = DocumentedRoutes(document: JSONValue.parse(String(buffer: file.content)) ?? .null)
    }

    func register(on router: Router<GatewayRequestContext>) {
        let file = self.file
        router.get("/api/openapi.json") { _, _ in file.response }
    }
}
