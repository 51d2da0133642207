import Hummingbird
import ServiceHTTP

/// LogLama's web interface, three static files shipped as resources of the target (`Web/Static`):
///
/// - `GET /` -> the page (`index.html`, `text/html`);
/// - `GET /static/loglama.js` -> its script (`loglama.js`, `text/javascript`);
/// - `GET /static/loglama.css` -> its style sheet (`loglama.css`, `text/css`).
///
/// The page holds no data: the script fetches everything from the JSON API with relative URLs (`api/logs?...`), so
/// it works the same when a gateway serves LogLama under a prefix such as `/api/loglama/`. Each file is sent with
/// `WebFiles.securityHeaders` (see there).
struct WebRoutes<Context: RequestContext>: Sendable {
    /// The files served; read once, when the routes are made.
    var files: WebFiles = .bundled

    func register(on router: Router<Context>) {
        let files = self.files
        router.get("/") { _, _ in files.page.response }
        router.get("/static/loglama.js") { _, _ in files.script.response }
        router.get("/static/loglama.css") { _, _ in files.style.response }
    }
}
