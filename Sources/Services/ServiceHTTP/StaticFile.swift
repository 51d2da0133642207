import Foundation
import Hummingbird

/// A file a service ships as a SwiftPM resource (a web page, a script, an OpenAPI document): read once when the
/// server is built, then served byte-for-byte with its content type, its length and any fixed headers.
public struct StaticFile: Sendable {
    /// The file's bytes, exactly as they are in the resource.
    public let content: ByteBuffer
    /// The response headers: `headers` as given, then the content type and the length.
    public let headers: HTTPFields

    /// Reads `name` (a path relative to the bundle's root, e.g. `Static/index.html`) from `bundle`.
    ///
    /// - Throws: `MissingResource` when the bundle has no such file or it cannot be read: a server must not start
    ///   and serve an empty page.
    public init(_ name: String, in bundle: Bundle, contentType: String, headers: HTTPFields = [:])
        throws(MissingResource)
    {
        let url = bundle.bundleURL.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MissingResource(name: name, bundlePath: bundle.bundlePath)
        }
        content = ByteBuffer(bytes: data)
        var fields = headers
        fields[.contentType] = contentType
        fields[.contentLength] = String(content.readableBytes)
        self.headers = fields
    }

    /// A 200 with the file.
    public var response: Response {
        Response(status: .ok, headers: headers, body: .init(byteBuffer: content))
    }
}

/// A resource file a server needs is not in its bundle (a binary copied without its `*.resources` directory).
public struct MissingResource: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path inside the bundle.
    public var name: String
    /// The bundle that was searched.
    public var bundlePath: String

    public init(name: String, bundlePath: String) {
        self.name = name
        self.bundlePath = bundlePath
    }

    public var description: String { "resource `\(name)` is missing from \(bundlePath)" }
}
