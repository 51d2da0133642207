#if canImport(Glibc)
import Glibc
#endif

import ServiceHTTP
import ServiceKit

/// Everything `weblama serve` needs, from its flags and the central `.env`.
///
/// Keys:
/// - `WEBLAMA_HOST` (`127.0.0.1`), `WEBLAMA_PORT` (`8081`; `0` picks a free port): where to listen.
/// - `WEBLAMA_ROOT`: the page's files (default: the `web/` directory of the checkout the executable was built in,
///   else `/usr/share/weblama/web`).
/// - `WEBLAMA_VENDOR_DIR` (`/usr/local/share/weblama/vendor`): the libraries that do not come from Debian.
/// - `APILAMA_URL` (`http://127.0.0.1:8080`): the gateway the page is used through; `GET /` sends a browser there.
public struct WebLamaConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The directory of `index.html` and the page's scripts and styles.
    public var root: String
    /// The gateway's base URL, without a trailing slash.
    public var apiURL: String
    public var libraries: [VendorLibrary]
    /// How connections are treated (idle timeout, header limits).
    public var connections = ServiceConnectionPolicy()

    public init(host: String = "127.0.0.1", port: Int = 8081, root: String, apiURL: String = "http://127.0.0.1:8080",
                libraries: [VendorLibrary] = VendorLibrary.all()) {
        self.host = host
        self.port = port
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.libraries = libraries
    }

    /// The configuration `settings` and `values` (every key of the sources) give; the flags override them.
    public static func load(from settings: PyLamaConfiguration, values: [String: String], host: String? = nil,
                            port: Int? = nil, root: String? = nil, apiURL: String? = nil)
        throws(ConfigurationError) -> WebLamaConfiguration {
        var resolvedPort = port ?? 0
        if port == nil { resolvedPort = try settings.port(of: "weblama") }
        let vendor = values["WEBLAMA_VENDOR_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? VendorLibrary.defaultVendorDirectory
        return WebLamaConfiguration(
            host: host ?? settings.host(of: "weblama"), port: resolvedPort,
            root: root ?? values["WEBLAMA_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultRoot(),
            apiURL: apiURL ?? settings.url(of: "apilama"), libraries: VendorLibrary.all(vendorDirectory: vendor))
    }

    /// Refuses to serve a page that cannot work: `index.html` or a library's file missing.
    public func checkFiles() throws(WebLamaError) {
        guard Self.isFile(root + "/index.html") else { throw .missingPage(root: root) }
        for library in libraries where !Self.isFile(library.directory + "/" + library.requiredFile) {
            throw .missingLibrary(library)
        }
    }

    /// Where the page is when no one says: `web/` in a directory above the executable (a checkout's
    /// `.build/<triple>/debug/weblama`), else the installed `/usr/share/weblama/web`.
    static func defaultRoot() -> String {
        var directory = executablePath()
        for _ in 0..<5 {
            guard let slash = directory.lastIndex(of: "/"), slash != directory.startIndex else { break }
            directory = String(directory[..<slash])
            if isFile(directory + "/web/index.html") { return directory + "/web" }
        }
        return "/usr/share/weblama/web"
    }

    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
