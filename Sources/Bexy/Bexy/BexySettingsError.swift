/// A `BEXY_*` setting whose value the engine cannot use: refused when the settings are built, so a typo in the
/// central `.env` stops `bexy` and `bexy-server` with one line instead of being silently replaced by a default.
public struct BexySettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key, e.g. `BEXY_MAX_SLOTS`.
    public var key: String
    /// The value given.
    public var value: String
    /// What the value must be, e.g. "a whole number of at least 1".
    public var expected: String

    public init(key: String, value: String, expected: String) {
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "\(key)='\(value)' is not valid: it must be \(expected) (set in the environment or the central .env)"
    }
}
