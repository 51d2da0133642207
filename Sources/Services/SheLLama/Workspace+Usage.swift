#if canImport(Glibc)
import Glibc
#endif

/// What a workspace holds: entries (files, directories and anything else) and the bytes of its regular files.
public struct WorkspaceUsage: Sendable, Equatable {
    public var entries: Int
    public var bytes: Int
}

extension Workspace {
    /// Walk the workspace (never following a link) and count what it holds.
    public func usage() throws(WorkspaceError) -> WorkspaceUsage {
        var usage = WorkspaceUsage(entries: 0, bytes: 0)
        try Self.count(directory, into: &usage, depth: 0)
        return usage
    }

    private static func count(_ directory: Descriptor, into usage: inout WorkspaceUsage, depth: Int) throws(WorkspaceError) {
        guard depth < 256 else { return }
        for name in try directory.entryNames() {
            let info: stat
            do throws(WorkspaceError) {
                info = try directory.status(ofEntry: name)
            } catch where error.code == .notFound {
                continue
            }
            usage.entries += 1
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                usage.bytes += Int(info.st_size)
            case S_IFDIR:
                let child = try directory.openBeneath(name, flags: O_RDONLY | O_DIRECTORY, display: directory.join(name))
                try count(child, into: &usage, depth: depth + 1)
            default:
                break
            }
        }
    }

    /// Refuse a workspace that would hold more than the caps allow.
    func checkQuota(entries: Int, bytes: Int, path: String) throws(WorkspaceError) {
        guard entries <= limits.maxFiles else {
            throw WorkspaceError(.tooManyFiles, path: path,
                                 "the workspace '\(name)' would hold more than SHELLAMA_MAX_FILES (\(limits.maxFiles)) "
                                 + "files and directories; delete some first")
        }
        guard bytes <= limits.maxWorkspaceBytes else {
            throw WorkspaceError(.workspaceFull, path: path,
                                 "the workspace '\(name)' would hold more than SHELLAMA_MAX_WORKSPACE_BYTES "
                                 + "(\(limits.maxWorkspaceBytes)) bytes; delete some first")
        }
    }
}
