import HTTPTypes
import Hummingbird

/// LogLama's web interface, three static files compiled into the binary:
///
/// - `GET /` -> the page (`WebPage.html`, `text/html`);
/// - `GET /static/loglama.js` -> its script (`WebScript.source`, `text/javascript`);
/// - `GET /static/loglama.css` -> its style sheet (`WebStyle.source`, `text/css`).
///
/// The page holds no data: the script fetches everything from the JSON API with relative URLs (`api/logs?...`), so
/// it works the same when a gateway serves LogLama under a prefix such as `/api/loglama/`. Each file is sent with
/// `WebFile.securityHeaders`: a Content-Security-Policy allowing only same-origin scripts, styles and connections (no
/// inline script or style, no framing), `nosniff`, no referrer, and `no-cache` so an upgrade is seen at once.
struct WebRoutes<Context: RequestContext>: Sendable {
    func register(on router: Router<Context>) {
        router.get("/") { _, _ in WebFile.page.response }
        router.get("/static/loglama.js") { _, _ in WebFile.script.response }
        router.get("/static/loglama.css") { _, _ in WebFile.style.response }
    }
}

/// The three files of the web interface, each with its content type and the security headers.
enum WebFile: Sendable {
    case page
    case script
    case style

    /// The Content-Security-Policy of the three files.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// The headers every web file is sent with, besides its content type and length.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    private static let pageBytes = ByteBuffer(string: WebPage.html)
    private static let scriptBytes = ByteBuffer(string: WebScript.source)
    private static let styleBytes = ByteBuffer(string: WebStyle.source)

    var contentType: String {
        switch self {
        case .page: "text/html; charset=utf-8"
        case .script: "text/javascript; charset=utf-8"
        case .style: "text/css; charset=utf-8"
        }
    }

    private var content: ByteBuffer {
        switch self {
        case .page: Self.pageBytes
        case .script: Self.scriptBytes
        case .style: Self.styleBytes
        }
    }

    /// A 200 with the file, its content type and the security headers.
    var response: Response {
        var headers = Self.securityHeaders
        headers[.contentType] = contentType
        headers[.contentLength] = String(content.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: content))
    }
}
