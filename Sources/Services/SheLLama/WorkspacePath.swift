/// The text check every workspace path passes before it reaches the kernel: a plain relative path of ordinary
/// components. It is only the first gate; `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` is what keeps a
/// path inside the workspace (`OpenBeneath`).
///
/// Refused with 400 `invalid_path` (the text is malformed): empty (unless `allowTop`), NUL or other control
/// characters, `\`, any `%` left after the one decoding of the query or JSON (`%2f`, `%2e%2e`, `%00`: double
/// encoding), a component over 255 bytes or a path over 4096. Refused with 403 `path_escapes` (the path points
/// elsewhere): absolute, `.` and `..` components, empty components (`a//b`).
public struct WorkspacePath: Sendable, Equatable, CustomStringConvertible {
    /// The components, top first; empty for the workspace's top directory.
    public let components: [String]

    /// The path as given back to clients: the components joined with `/`.
    public var description: String { components.joined(separator: "/") }

    /// The last component (the name in its parent), nil for the top.
    public var name: String? { components.last }

    /// The parent's path, nil for the top.
    public var parent: WorkspacePath? {
        components.isEmpty ? nil : WorkspacePath(checked: Array(components.dropLast()))
    }

    /// The text given to `openat2`: `.` for the top.
    var relativeText: String { components.isEmpty ? "." : description }

    private init(checked components: [String]) { self.components = components }

    /// `name` below this path (already a checked component).
    func appending(_ name: String) -> WorkspacePath { WorkspacePath(checked: components + [name]) }

    /// The top of the workspace.
    public static let top = WorkspacePath(checked: [])

    /// Checks `text`; a single trailing `/` is allowed (`docs/`).
    ///
    /// - Throws: `WorkspaceError.invalidPath` naming `text` and the rule it breaks.
    public init(_ text: String, allowTop: Bool = false) throws(WorkspaceError) {
        func refuse(_ reason: String, escaping: Bool = false) -> WorkspaceError {
            WorkspaceError(escaping ? .escapes : .invalidPath, path: text,
                           "the path '\(Self.printable(text))' is refused: \(reason)")
        }
        if text.isEmpty || text == "." || text == "./" {
            guard allowTop else {
                throw text.isEmpty ? refuse("it is empty") : refuse("'.' components are not allowed", escaping: true)
            }
            self.init(checked: [])
            return
        }
        let bytes = Array(text.utf8)
        guard bytes.count <= 4096 else { throw refuse("it is longer than 4096 bytes") }
        if bytes.first == UInt8(ascii: "/") {
            throw refuse("it is absolute; give a path relative to the workspace", escaping: true)
        }
        if bytes.contains(0) { throw refuse("it contains a NUL byte") }
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) { throw refuse("it contains a control character") }
        if bytes.contains(UInt8(ascii: "\\")) { throw refuse("it contains '\\'") }
        if bytes.contains(UInt8(ascii: "%")) {
            throw refuse("it holds '%' after decoding (double encoding is not allowed)")
        }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        for part in parts {
            if part.isEmpty { throw refuse("it has an empty component ('//')", escaping: true) }
            if part == "." || part == ".." { throw refuse("'\(part)' components are not allowed", escaping: true) }
            if part.utf8.count > 255 { throw refuse("a component is longer than 255 bytes") }
        }
        self.init(checked: parts)
    }

    /// `text` with control characters shown as `\u{..}`, for messages.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.flatMap { scalar -> [Character] in
            scalar.value < 0x20 || scalar.value == 0x7f ? Array("\\u{\(String(scalar.value, radix: 16))}")
                : [Character(scalar)]
        }.prefix(300))
    }
}
