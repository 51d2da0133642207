#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// A directory of the host held open (`O_PATH`), closed when the last reference goes: what a job's workspace is
/// bound from, so that the directory a job gets is the one that was resolved, whatever happens to its path later.
public final class HostDirectory: Sendable {
    /// The directory's owner, from `fstat` of the open descriptor.
    public struct Owner: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32

        public init(uid: UInt32, gid: UInt32) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// The `O_PATH | O_DIRECTORY` descriptor.
    public let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Open the directory at `path`, an absolute path an operator configured (its last component must not be
    /// a symbolic link).
    ///
    /// - Throws: `JailError` with the errno (`ENOENT`, `ENOTDIR`, `ELOOP` for a link).
    public static func open(_ path: String) throws(JailError) -> HostDirectory {
        let fd = bj_open_directory(path)
        guard fd >= 0 else { throw .system("open \(path)", errno: -fd) }
        return HostDirectory(descriptor: fd)
    }

    /// Open the directory `path` beneath this one with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
    /// RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)`: no step may be a symbolic link or cross a mount, so a path
    /// planted by a job (a symlink, a bind) cannot lead out, and there is no window between check and use.
    ///
    /// - Throws: `JailError` with the errno: `ENOENT` when it does not exist, `ENOTDIR` when it is not a
    ///   directory, `ELOOP` for a symbolic link, `EXDEV` for a mount crossing or an escape.
    public func directory(beneath path: RelativePath) throws(JailError) -> HostDirectory {
        let fd = bj_open_directory_beneath(descriptor, path.string)
        guard fd >= 0 else { throw .system("open \(path) beneath its root", errno: -fd) }
        return HostDirectory(descriptor: fd)
    }

    /// The directory's owner now.
    ///
    /// - Throws: `JailError` if `fstat` fails.
    public func owner() throws(JailError) -> Owner {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system("fstat of a held directory") }
        return Owner(uid: info.st_uid, gid: info.st_gid)
    }
}
