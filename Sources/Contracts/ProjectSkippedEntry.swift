/// A project entry that was not copied into the working directory, as the result's `project_skipped` lists it:
/// `{path, reason}` (a symlink, a device, a socket, ...).
public struct ProjectSkippedEntry: Codable, Sendable, Equatable {
    /// The path relative to the project's root.
    public var path: String
    /// Why it was skipped.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
