import Jail

#if canImport(Glibc)
import Glibc
#endif

/// SheLLama's workspaces as the engine opens them: the directory `SHELLAMA_ROOT` (`BexySettings.workspaceRoot`),
/// one workspace directory per name below it.
///
/// Every step is resolved on open descriptors with `openat2` (`HostDirectory`): the workspace below the root and
/// the working directory below the workspace, refusing `..`, absolute paths, symbolic links and mount crossings at
/// every component, so a job that plants a symlink in a workspace cannot lead the next job (or BEXY) out of it.
public struct WorkspaceRoot: Sendable, Equatable {
    /// The root's absolute path.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Open `command`'s workspace (and check its working directory) as a mount at `mountPoint` for a job.
    ///
    /// - Parameter workingDirectory: the command's checked working directory (`WorkspaceCommand.check()`).
    /// - Throws: `RequestRefusal`: `not_found` (404) naming `workspace` when it does not exist; `invalid_field`
    ///   (400) naming `workspace` when it is not a plain directory, or `cwd` when the working directory does not
    ///   exist, is not a directory or passes through a symbolic link or a mount.
    public func mount(_ command: WorkspaceCommand, workingDirectory: RelativePath?,
                      at mountPoint: RelativePath) throws(RequestRefusal) -> WorkspaceMount {
        let workspace = try open(command.workspace)
        if let workingDirectory {
            do throws(JailError) {
                _ = try workspace.directory(beneath: workingDirectory)
            } catch {
                throw RequestRefusal(field: "cwd", message: "'\(workingDirectory)' " + Self.problem(error.errno)
                                     + " in workspace '\(command.workspace)'")
            }
        }
        do throws(JailError) {
            return try WorkspaceMount(directory: workspace, mountPoint: mountPoint, workingDirectory: workingDirectory)
        } catch {
            throw RequestRefusal(field: "profile", message: error.message)
        }
    }

    /// The workspace `name` (already checked by `WorkspaceCommand.isValidName`), held open.
    private func open(_ name: String) throws(RequestRefusal) -> HostDirectory {
        let root: HostDirectory
        do throws(JailError) {
            root = try HostDirectory.open(path)
        } catch {
            throw RequestRefusal(.notFound, field: "workspace",
                                 message: "'\(name)' does not exist: the workspace root \(path) (SHELLAMA_ROOT) "
                                    + Self.problem(error.errno))
        }
        let relative = try RelativePath(name, refusedAs: "workspace")
        do throws(JailError) {
            return try root.directory(beneath: relative)
        } catch where error.errno == ENOENT {
            throw RequestRefusal(.notFound, field: "workspace", message: "'\(name)' does not exist under \(path)")
        } catch {
            throw RequestRefusal(field: "workspace", message: "'\(name)' " + Self.problem(error.errno))
        }
    }

    /// What an `openat2` failure means for a path, in words.
    private static func problem(_ errno: Int32?) -> String {
        switch errno {
        case ENOENT: "does not exist"
        case ENOTDIR: "is not a directory"
        case ELOOP: "is or passes through a symbolic link"
        case EXDEV: "crosses a mount point or leaves its root"
        default: "cannot be opened: " + String(cString: strerror(errno ?? EIO))
        }
    }
}
