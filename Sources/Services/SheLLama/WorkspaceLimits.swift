/// The caps on one workspace (413 when exceeded).
///
/// Keys: `SHELLAMA_MAX_FILE_BYTES` (default 10 MiB, one file), `SHELLAMA_MAX_FILES` (10,000 regular files per
/// workspace), `SHELLAMA_MAX_WORKSPACE_BYTES` (200 MiB, all regular files of a workspace together).
public struct WorkspaceLimits: Sendable, Equatable {
    public var maxFileBytes: Int
    public var maxFiles: Int
    public var maxWorkspaceBytes: Int

    public init(maxFileBytes: Int = 10 << 20, maxFiles: Int = 10_000, maxWorkspaceBytes: Int = 200 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxFiles = maxFiles
        self.maxWorkspaceBytes = maxWorkspaceBytes
    }
}
