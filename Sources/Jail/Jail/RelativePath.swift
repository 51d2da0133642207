/// A path beneath a root (the job's working directory, an artifacts directory): relative, without `.`, `..`,
/// empty parts or NUL bytes. Checked once, when it is made; whoever holds one may join its components under a
/// root without checking again.
public struct RelativePath: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path as given, e.g. `data/in.txt`.
    public let string: String
    /// Its non-empty components, e.g. `["data", "in.txt"]`.
    public let components: [String]

    /// `path` if it is safe beneath a root.
    ///
    /// - Throws: `JailError` (`invalidConfiguration`) for an absolute path, `.`/`..`, an empty part or a NUL byte.
    public init(_ path: String) throws(JailError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw JailError(.invalidConfiguration, stage: "job files",
                            message: "file path '\(path)' must be relative, without '.', '..' or empty parts")
        }
        string = path
        components = parts
    }

    /// A constant path written in the source, e.g. `"main.py"`; an unsafe literal is a programming error (traps).
    public init(stringLiteral path: String) {
        do {
            try self.init(path)
        } catch {
            preconditionFailure(error.message)
        }
    }

    public var description: String { string }

    public static func < (lhs: RelativePath, rhs: RelativePath) -> Bool { lhs.string < rhs.string }
}
