/// A third-party browser library the page loads, served from where its package installed it (never copied into the
/// repository): `/web/vendor/<name>/...` maps to `directory`.
public struct VendorLibrary: Sendable, Equatable {
    /// The URL segment under `/web/vendor/`.
    public var name: String
    /// Where the package installed it.
    public var directory: String
    /// A file the page needs, relative to `directory`: its absence means the library is not installed.
    public var requiredFile: String
    /// How to install it, named in the refusal to start without it.
    public var installHint: String

    public init(name: String, directory: String, requiredFile: String, installHint: String) {
        self.name = name
        self.directory = directory
        self.requiredFile = requiredFile
        self.installHint = installHint
    }

    /// The URL prefix it is served under: `/web/vendor/codemirror`.
    public var urlPath: String { "/web/vendor/" + name }

    /// The default location of the libraries that do not come from Debian (Mermaid, from a PyPI wheel checked by
    /// its sha256): `scripts/weblama-vendor.sh` installs them there.
    public static let defaultVendorDirectory = "/usr/local/share/weblama/vendor"

    /// The page's libraries: CodeMirror 5, marked, highlight.js and DOMPurify from Debian's packages, Mermaid from
    /// `vendorDirectory`.
    public static func all(vendorDirectory: String = defaultVendorDirectory) -> [VendorLibrary] {
        [
            VendorLibrary(name: "codemirror", directory: "/usr/share/javascript/codemirror",
                          requiredFile: "lib/codemirror.js", installHint: "apt-get install libjs-codemirror"),
            VendorLibrary(name: "marked", directory: "/usr/share/javascript/marked",
                          requiredFile: "marked.min.js", installHint: "apt-get install libjs-marked"),
            VendorLibrary(name: "highlight.js", directory: "/usr/share/javascript/highlight.js",
                          requiredFile: "highlight.min.js", installHint: "apt-get install libjs-highlight.js"),
            VendorLibrary(name: "dompurify", directory: "/usr/share/nodejs/dompurify/dist",
                          requiredFile: "purify.min.js", installHint: "apt-get install node-dompurify"),
            VendorLibrary(name: "mermaid", directory: vendorDirectory + "/mermaid",
                          requiredFile: "mermaid.min.js", installHint: "scripts/weblama-vendor.sh (make web-deps)"),
        ]
    }
}
