import Foundation
import HTTPTypes
import Hummingbird
import ServiceHTTP

/// The gateway's page for people: `GET /signin` (open) exchanges an API token for the session cookie through
/// `POST /api/session` and then goes back where the person was headed (`?next=/api/loglama/`), or lists the
/// ecosystem's pages; it also signs out. `GET /` sends a browser to WebLama (`/web/`).
///
/// The page, its script and its style are resource files (`Resources/SignIn`), served with a strict
/// Content-Security-Policy: no inline script or style, nothing from another origin, no framing. The token is
/// typed into a password field and sent once; only the HttpOnly cookie stays in the browser.
struct SignInPage: Sendable {
    private let page: StaticFile
    private let script: StaticFile
    private let style: StaticFile

    /// The path of the page.
    static let path = "/signin"
    /// Where `GET /` sends a browser: WebLama, which sends it here when no one is signed in.
    static let webPage = "/web/"

    /// The headers of every file of the page.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    /// Reads the page's files from the target's bundle.
    ///
    /// - Throws: `MissingResource` when one is missing: the gateway does not start without its sign-in page.
    init() throws(MissingResource) {
        page = try StaticFile("SignIn/index.html", in: .module, contentType: "text/html; charset=utf-8",
                              headers: Self.securityHeaders)
        script = try StaticFile("SignIn/signin.js", in: .module, contentType: "text/javascript; charset=utf-8",
                                headers: Self.securityHeaders)
        style = try StaticFile("SignIn/signin.css", in: .module, contentType: "text/css; charset=utf-8",
                               headers: Self.securityHeaders)
    }

    func register(on router: Router<GatewayRequestContext>) {
        let page = self.page, script = self.script, style = self.style
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: Self.webPage]) }
        // Browsers ask for it on every page of this origin, signed in or not: no icon, and no 401 to log.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent, headers: [.cacheControl: "max-age=86400"]) }
        router.get(RouterPath(Self.path)) { _, _ in page.response }
        router.get(RouterPath(Self.path + "/signin.js")) { _, _ in script.response }
        router.get(RouterPath(Self.path + "/signin.css")) { _, _ in style.response }
    }

    /// For a browser navigating to a page it may not see yet (a GET or HEAD that accepts `text/html`, without an
    /// `Authorization` header): a 303 to the sign-in page that brings it back; otherwise nil (the API's 401).
    static func redirect(for request: Request) -> Response? {
        guard request.method == .get || request.method == .head, request.headers[.authorization] == nil,
              (request.headers[.accept] ?? "").contains("text/html") else { return nil }
        var next = request.uri.path
        if let query = request.uri.query, !query.isEmpty { next += "?" + query }
        let encoded = next.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "/"
        return Response(status: .seeOther, headers: [.location: path + "?next=" + encoded, .cacheControl: "no-store"])
    }
}

extension CharacterSet {
    /// What may stand unencoded in a query value: unreserved characters and `/`.
    fileprivate static let urlQueryValueAllowed: CharacterSet = {
        CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
    }()
}
