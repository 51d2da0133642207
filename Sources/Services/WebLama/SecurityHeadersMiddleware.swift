import HTTPTypes
import Hummingbird

/// Adds the page's security headers to every answer: a Content-Security-Policy that allows scripts, styles, images,
/// fonts and connections from the page's own origin only (no inline script, no eval, nothing from the internet,
/// no framing), `nosniff` and no referrer.
///
/// Styles also allow `'unsafe-inline'`: the SVG Mermaid renders carries its own `<style>` element, and CodeMirror
/// positions its elements with style attributes. Scripts never do.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            + "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-cache" }
        return response
    }
}
