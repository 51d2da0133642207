import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// One entry of a directory listing.
public struct WorkspaceEntry: Sendable, Equatable, Encodable {
    /// The entry's name in its directory.
    public var name: String
    /// Its workspace-relative path.
    public var path: String
    /// Bytes, for a regular file; 0 otherwise.
    public var size: Int
    /// Last modification, UTC ISO 8601 with milliseconds.
    public var modified: String
    /// `file`, `directory`, `symlink` (listed, never followed) or `other` (FIFO, socket, device).
    public var type: String
}

extension Workspace {
    /// The entries of the directory at `path` whose names match the fnmatch(3) `pattern`, sorted by name.
    public func list(_ path: WorkspacePath, pattern: String = "*") throws(WorkspaceError) -> [WorkspaceEntry] {
        let directory = try openDirectory(path)
        var entries: [WorkspaceEntry] = []
        for name in try directory.entryNames() where fnmatch(pattern, name, 0) == 0 {
            let info: stat
            do throws(WorkspaceError) {
                info = try directory.status(ofEntry: name)
            } catch where error.code == .notFound {
                continue  // removed meanwhile
            }
            let type = switch info.st_mode & S_IFMT {
            case S_IFREG: "file"
            case S_IFDIR: "directory"
            case S_IFLNK: "symlink"
            default: "other"
            }
            let milliseconds = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
            entries.append(WorkspaceEntry(name: name, path: path.appending(name).description,
                                          size: type == "file" ? Int(info.st_size) : 0,
                                          modified: UTCTimestamp.format(milliseconds: milliseconds), type: type))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// Create the directory `path` and any missing parents, each owned by the workspace's owner (mode 0770).
    ///
    /// - Returns: whether the last directory was created (false: it already existed).
    @discardableResult
    public func createDirectory(_ path: WorkspacePath) throws(WorkspaceError) -> Bool {
        guard !path.components.isEmpty else { return false }
        var current = directory
        var created = false
        var walked = WorkspacePath.top
        var counted: WorkspaceUsage?
        for component in path.components {
            walked = walked.appending(component)
            created = false
            if (try? current.status(ofEntry: component)) == nil {
                var usage: WorkspaceUsage
                if let counted { usage = counted } else { usage = try self.usage() }
                usage.entries += 1
                try checkQuota(entries: usage.entries, bytes: usage.bytes, path: walked.description)
                counted = usage
            }
            if mkdirat(current.fd, component, 0o770) == 0 {
                created = true
            } else if errno != EEXIST {
                throw Descriptor.error(errno, path: walked.description, doing: "mkdir")
            }
            let next = try current.openBeneath(component, flags: O_RDONLY | O_DIRECTORY, display: walked.description)
            if created { try own(next, mode: 0o770) }
            current = next
        }
        return created
    }

    /// Delete the directory `path`: only when empty unless `recursive`, which deletes what is inside first
    /// (symbolic links inside are removed, never followed). The workspace's top cannot be deleted.
    public func deleteDirectory(_ path: WorkspacePath, recursive: Bool) throws(WorkspaceError) {
        let shown = path.description
        guard let name = path.name, let parentPath = path.parent else {
            throw WorkspaceError(.invalidPath, path: shown, "the workspace's top directory cannot be deleted")
        }
        let parent = try openDirectory(parentPath)
        let target = try parent.openBeneath(name, flags: O_RDONLY | O_DIRECTORY, display: shown)
        if recursive { try Self.removeContents(of: target, depth: 0) }
        guard unlinkat(parent.fd, name, AT_REMOVEDIR) == 0 else {
            throw Descriptor.error(errno, path: shown, doing: "rmdir")
        }
    }

    private static func removeContents(of directory: Descriptor, depth: Int) throws(WorkspaceError) {
        guard depth < 256 else {
            throw WorkspaceError(.io, path: directory.path, "'\(directory.path)' is nested deeper than 256 directories")
        }
        for name in try directory.entryNames() {
            let shown = directory.join(name)
            let info = try directory.status(ofEntry: name)
            if info.st_mode & S_IFMT == S_IFDIR {
                let child = try directory.openBeneath(name, flags: O_RDONLY | O_DIRECTORY, display: shown)
                try removeContents(of: child, depth: depth + 1)
                guard unlinkat(directory.fd, name, AT_REMOVEDIR) == 0 else {
                    throw Descriptor.error(errno, path: shown, doing: "rmdir")
                }
            } else {
                guard unlinkat(directory.fd, name, 0) == 0 else { throw Descriptor.error(errno, path: shown, doing: "unlink") }
            }
        }
    }
}
