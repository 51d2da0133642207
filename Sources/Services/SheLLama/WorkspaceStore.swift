import CSheLLama
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// The workspaces under `SHELLAMA_ROOT`: opens one by name, as a directory descriptor every operation resolves
/// from (`Workspace`).
public struct WorkspaceStore: Sendable {
    public let settings: WorkspaceSettings
    public let limits: WorkspaceLimits

    public init(settings: WorkspaceSettings, limits: WorkspaceLimits = WorkspaceLimits()) {
        self.settings = settings
        self.limits = limits
    }

    /// The workspace `name`.
    ///
    /// - Throws: `invalidWorkspace` for a bad name, `workspaceNotFound` when its directory does not exist, and the
    ///   usual path errors when it is a symbolic link or not a directory.
    public func open(_ name: String) throws(WorkspaceError) -> Workspace {
        guard WorkspaceSettings.isValidName(name) else {
            throw WorkspaceError(.invalidWorkspace, path: name,
                                 "'\(WorkspacePath.printable(name))' is not a workspace name "
                                 + "(^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$)")
        }
        let rootFD = Glibc.open(settings.root, shellama_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw missing(name) }
        let root = Descriptor(fd: rootFD, path: "")
        do throws(WorkspaceError) {
            let directory = try root.openBeneath(name, flags: O_RDONLY | O_DIRECTORY, display: "")
            return Workspace(name: name, directory: directory, uid: settings.uid, gid: settings.gid, limits: limits)
        } catch where error.code == .notFound {
            throw missing(name)
        }
    }

    private func missing(_ name: String) -> WorkspaceError {
        WorkspaceError(.workspaceNotFound, path: name,
                       "the workspace '\(name)' does not exist under \(settings.root) (`loglama init` creates 'default'; "
                       + "POST /directory cannot create workspaces)")
    }
}

/// One open workspace: every operation resolves its path below `directory` with `openat2`, so nothing outside
/// it is ever read, written or deleted, whatever a job planted inside (symbolic links, hard links, FIFOs).
public struct Workspace: Sendable {
    /// The workspace's name.
    public let name: String
    let directory: Descriptor
    /// The owner every file and directory written gets.
    let uid: UInt32
    let gid: UInt32
    let limits: WorkspaceLimits

    /// The directory at `path` (the workspace itself for the top).
    func openDirectory(_ path: WorkspacePath) throws(WorkspaceError) -> Descriptor {
        if path.components.isEmpty { return directory }
        return try directory.openBeneath(path.relativeText, flags: O_RDONLY | O_DIRECTORY, display: path.description)
    }

    /// Give `descriptor` the workspace's owner and `mode`, when it does not have them yet.
    func own(_ descriptor: Descriptor, mode: mode_t) throws(WorkspaceError) {
        let info = try descriptor.status()
        if info.st_uid != uid || info.st_gid != gid {
            guard fchown(descriptor.fd, uid, gid) == 0 else {
                throw Descriptor.error(errno, path: descriptor.path, doing: "chown to \(uid):\(gid)")
            }
        }
        if info.st_mode & 0o7777 != mode {
            guard fchmod(descriptor.fd, mode) == 0 else { throw Descriptor.error(errno, path: descriptor.path, doing: "chmod") }
        }
    }

    /// Refuse anything but a regular file with one link: `info` is the fstat of what `path` opened.
    static func requireSingleLinkedFile(_ info: stat, path: String) throws(WorkspaceError) {
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard info.st_nlink <= 1 else {
                throw WorkspaceError(.hardLink, path: path,
                                     "'\(path)' has \(info.st_nlink) hard links; it may be a file outside the workspace, "
                                     + "so it is neither read nor written (copy it to a new file inside a job)")
            }
        case S_IFDIR:
            throw WorkspaceError(.notAFile, path: path, "'\(path)' is a directory")
        case S_IFLNK:
            throw Descriptor.error(ELOOP, path: path, doing: "open")
        default:
            throw WorkspaceError(.unsupportedType, path: path, "'\(path)' is not a regular file (a FIFO, socket or device)")
        }
    }
}
