import Contracts
import Hummingbird
import ServiceHTTP

/// The methods the gateway serves on each path its OpenAPI document describes, read from that document.
///
/// A path template's `{name}` segment matches any one segment. `HEAD` is allowed wherever `GET` is, `OPTIONS`
/// everywhere (CORS preflights).
struct DocumentedRoutes: Sendable {
    private struct Route: Sendable {
        var segments: [Substring]
        var methods: Set<String>
    }

    private let routes: [Route]

    /// The routes of `document` (an OpenAPI document: its `paths` object, keyed by template then by method).
    init(document: JSONValue) {
        guard case .object(let members) = document, case .object(let paths)? = members["paths"] else {
            routes = []
            return
        }
        routes = paths.map { template, item in
            var methods = Set<String>()
            if case .object(let operations) = item {
                methods = Set(operations.keys.map { $0.uppercased() }.filter { $0 != "PARAMETERS" })
            }
            if methods.contains("GET") { methods.insert("HEAD") }
            methods.insert("OPTIONS")
            return Route(segments: template.split(separator: "/"), methods: methods)
        }
    }

    /// The methods allowed on `path`, or nil when the document does not describe it. As in OpenAPI, a concrete
    /// path wins over a template that also matches (`/models/pull` over `/models/{name}`).
    func allowedMethods(for path: String) -> Set<String>? {
        let segments = path.split(separator: "/")
        let isTemplate: (Substring) -> Bool = { $0.hasPrefix("{") && $0.hasSuffix("}") }
        return routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, segment in
                    isTemplate(template) || template == segment
                }
        }.min { $0.segments.filter(isTemplate).count < $1.segments.filter(isTemplate).count }?.methods
    }
}

/// 405 `method_not_allowed` with `Allow` for a method the OpenAPI document does not list on a path it
/// describes, and for TRACE and CONNECT on any path: the gateway never serves or forwards those.
///
/// Runs before authentication: which methods a documented route has is public (the document is), and a
/// request the gateway would never route should not count against the caller's rate.
struct MethodPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: DocumentedRoutes

    /// What an undocumented path may be called with: the methods the proxy forwards.
    static var forwardedMethods: Set<String> { Set(UpstreamProxy.methods.map(\.rawValue) + ["OPTIONS"]) }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        let allowed = routes.allowedMethods(for: request.uri.path)
        let refused = method == "TRACE" || method == "CONNECT" || !(allowed?.contains(method) ?? true)
        guard refused else { return try await next(request, context) }
        let allow = (allowed ?? Self.forwardedMethods).sorted().joined(separator: ", ")
        return try ServiceError(status: .methodNotAllowed, code: "method_not_allowed",
                                message: "\(method) is not allowed on \(request.uri.path); allowed: \(allow)")
            .response(from: request, context: context, headers: [.allow: allow])
    }
}
