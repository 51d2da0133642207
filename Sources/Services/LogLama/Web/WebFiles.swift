import Foundation
import HTTPTypes
import ServiceHTTP

/// The three files of the web interface, read from the target's resource bundle, each with its content type and
/// the security headers.
///
/// The files are plain HTML, JavaScript and CSS in `Web/Static` (edit and lint them as such). The page's level and
/// status choices must match `LogLevel` and `ExecutionStatus`: `WebInterfaceTests` checks they do.
struct WebFiles: Sendable {
    /// `Static/index.html`, served at `/`.
    let page: StaticFile
    /// `Static/loglama.js`, served at `/static/loglama.js`.
    let script: StaticFile
    /// `Static/loglama.css`, served at `/static/loglama.css`.
    let style: StaticFile

    /// The Content-Security-Policy of the three files: only same-origin scripts, styles and connections, no inline
    /// script or style, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// The headers every web file is sent with, besides its content type and length: the policy, `nosniff`, no
    /// referrer, and `no-cache` so an upgrade is seen at once.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    /// Reads the three files from `bundle`.
    init(bundle: Bundle) throws(MissingResource) {
        page = try StaticFile("Static/index.html", in: bundle, contentType: "text/html; charset=utf-8",
                              headers: Self.securityHeaders)
        script = try StaticFile("Static/loglama.js", in: bundle, contentType: "text/javascript; charset=utf-8",
                                headers: Self.securityHeaders)
        style = try StaticFile("Static/loglama.css", in: bundle, contentType: "text/css; charset=utf-8",
                               headers: Self.securityHeaders)
    }

    /// The files of LogLama's own bundle (`PyLama_LogLama.resources`, next to the executable), read at first use:
    /// when the server is built. A missing file stops the process there, naming the file and the bundle.
    static let bundled: WebFiles = {
        do {
            return try WebFiles(bundle: .module)
        } catch {
            fatalError("LogLama's web interface cannot start: \(error)")
        }
    }()
}
