#if canImport(Glibc)
import Glibc
#endif

/// A `.env` file: `KEY=VALUE` lines, `#` comments and blank lines, kept in order so that rewriting a file
/// changes only the lines it must.
///
/// Values may be bare, `"double quoted"` (with `\"`, `\\` and `\n` escapes) or `'single quoted'` (literal).
/// `export KEY=VALUE` is accepted. A line that is none of these is an error naming its line number.
public struct EnvironmentFile: Sendable, Equatable {
    enum Line: Sendable, Equatable {
        case entry(key: String, value: String)
        case other(String)
    }

    var lines: [Line]

    public init() { lines = [] }

    /// Parse `text`; throws `ConfigurationError` naming the first malformed line.
    public init(parsing text: String, path: String = ".env") throws(ConfigurationError) {
        lines = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                lines.append(.other(String(line)))
                continue
            }
            var body = trimmed
            if body.hasPrefix("export ") { body = body.dropFirst(7).drop { $0 == " " } }
            guard let equals = body.firstIndex(of: "="),
                  case let key = String(body[..<equals]).trimmingSpaces(), Self.isValidKey(key) else {
                throw ConfigurationError(key: nil, path: path,
                                         message: "line \(index + 1): expected KEY=VALUE, got '\(line)'")
            }
            let value = try Self.unquote(body[body.index(after: equals)...], line: index + 1, path: path)
            lines.append(.entry(key: key, value: value))
        }
        if lines.last == .other("") { lines.removeLast() }
    }

    /// Read the file at `path`; nil if it does not exist.
    public static func load(_ path: String) throws(ConfigurationError) -> EnvironmentFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ConfigurationError(key: nil, path: path, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw ConfigurationError(key: nil, path: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try EnvironmentFile(parsing: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The value of `key`, the last one if it appears twice.
    public subscript(key: String) -> String? {
        for line in lines.reversed() { if case .entry(key, let value) = line { return value } }
        return nil
    }

    /// Every entry, later duplicates winning.
    public var values: [String: String] {
        var result: [String: String] = [:]
        for case .entry(let key, let value) in lines { result[key] = value }
        return result
    }

    /// Set `key`: replaces the existing line in place, or appends one.
    public mutating func set(_ key: String, _ value: String) {
        if let index = lines.lastIndex(where: { if case .entry(key, _) = $0 { return true } else { return false } }) {
            lines[index] = .entry(key: key, value: value)
        } else {
            lines.append(.entry(key: key, value: value))
        }
    }

    /// Whether the file has no line at all (not even a comment).
    public var isEmpty: Bool { lines.isEmpty }

    /// Append a comment line.
    public mutating func comment(_ text: String) { lines.append(.other("# " + text)) }

    /// The file's text, values quoted where needed.
    public var text: String {
        lines.map { line in
            switch line {
            case .entry(let key, let value): return key + "=" + Self.quote(value)
            case .other(let text): return text
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Write atomically (temp file + rename) with `mode`, creating the parent directory (0700).
    public func write(to path: String, mode: mode_t = 0o600) throws(ConfigurationError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw ConfigurationError(key: nil, path: path,
                                         message: "cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ConfigurationError(key: nil, path: path, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        let complete = offset == bytes.count && fsync(fd) == 0
        close(fd)
        guard complete, rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigurationError(key: nil, path: path, message: "cannot write: \(message)")
        }
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func unquote(_ raw: Substring, line: Int, path: String) throws(ConfigurationError) -> String {
        let value = raw.trimmingSpaces()
        guard let quote = value.first, quote == "\"" || quote == "'" else {
            // A bare value ends at an unquoted " #" comment.
            if let hash = value.firstRange(of: " #") { return String(value[..<hash.lowerBound]).trimmingSpaces() }
            return value
        }
        var result = ""
        var escaped = false
        for character in value.dropFirst() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                return result
            } else {
                result.append(character)
            }
        }
        throw ConfigurationError(key: nil, path: path, message: "line \(line): unterminated quoted value")
    }

    static func quote(_ value: String) -> String {
        let plain = value.allSatisfy { !" \t\"'#\\\n$`".contains($0) }
        if plain { return value }
        var result = "\""
        for character in value {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result + "\""
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
