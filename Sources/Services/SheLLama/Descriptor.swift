import CSheLLama

#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor that is closed when the last reference goes away, with the few calls the workspace
/// store makes on it; each wraps one system call, retries EINTR and throws a `WorkspaceError` naming `path`.
final class Descriptor: Sendable {
    let fd: Int32
    /// The workspace-relative path it was opened for, named in errors.
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// openat2(2) of `relative` strictly below this directory, refusing symbolic links, magic links and mount
    /// crossings (`shellama_open_beneath`).
    func openBeneath(_ relative: String, flags: Int32, mode: mode_t = 0, display: String) throws(WorkspaceError)
        -> Descriptor {
        let opened = shellama_open_beneath(fd, relative, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode))
        guard opened >= 0 else { throw Self.error(errno, path: display, doing: "open") }
        return Descriptor(fd: opened, path: display)
    }

    /// fstat(2).
    func status() throws(WorkspaceError) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(errno, path: path, doing: "fstat") }
        return info
    }

    /// fstatat(2) of the entry `name` of this directory, not following a symbolic link.
    func status(ofEntry name: String) throws(WorkspaceError) -> stat {
        var info = stat()
        guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw Self.error(errno, path: join(name), doing: "stat")
        }
        return info
    }

    /// The names in this directory (not `.` and `..`), read through a duplicate so this descriptor stays open.
    func entryNames() throws(WorkspaceError) -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            throw Self.error(code, path: path, doing: "opendir")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `name` below this descriptor's path, for messages.
    func join(_ name: String) -> String { path.isEmpty || path == "." ? name : path + "/" + name }

    /// The error for `code` from the call `doing` on `path`.
    static func error(_ code: Int32, path: String, doing call: String) -> WorkspaceError {
        let shown = WorkspacePath.printable(path.isEmpty ? "." : path)
        switch code {
        case ELOOP:
            return WorkspaceError(.symbolicLink, path: path,
                                  "'\(shown)' is or passes through a symbolic link, which the workspace never follows")
        case EXDEV:
            return WorkspaceError(.escapes, path: path, "'\(shown)' resolves outside the workspace")
        case ENOENT:
            return WorkspaceError(.notFound, path: path, "'\(shown)' does not exist in the workspace")
        case ENOTDIR:
            return WorkspaceError(.notADirectory, path: path, "a component of '\(shown)' is not a directory")
        case EEXIST:
            return WorkspaceError(.exists, path: path, "'\(shown)' already exists")
        case EISDIR:
            return WorkspaceError(.notAFile, path: path, "'\(shown)' is a directory")
        case ENOTEMPTY:
            return WorkspaceError(.notEmpty, path: path, "'\(shown)' is not empty; delete it with recursive=true")
        case EACCES, EPERM:
            return WorkspaceError(.permissionDenied, path: path, "\(call) '\(shown)': permission denied")
        case ENAMETOOLONG:
            return WorkspaceError(.invalidPath, path: path, "'\(shown)' is too long")
        case ENXIO, ENODEV:
            return WorkspaceError(.unsupportedType, path: path, "'\(shown)' is not a regular file or directory")
        case ENOSYS:
            return WorkspaceError(.io, path: path, "\(call) '\(shown)': this kernel has no openat2 (Linux 5.6 or later "
                                  + "is needed)")
        default:
            return WorkspaceError(.io, path: path, "\(call) '\(shown)': \(String(cString: strerror(code)))")
        }
    }
}
