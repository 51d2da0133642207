/// A configuration value is missing or invalid: names the key, the file, and what is wrong.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key at fault, if one is.
    public var key: String?
    /// The file it came from, if any.
    public var path: String?
    public var message: String

    public init(key: String?, path: String?, message: String) {
        self.key = key
        self.path = path
        self.message = message
    }

    public var description: String {
        [path, key].compactMap { $0 }.joined(separator: ": ") + (path == nil && key == nil ? "" : ": ") + message
    }
}
