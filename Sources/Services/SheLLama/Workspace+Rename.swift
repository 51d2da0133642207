import CSheLLama

#if canImport(Glibc)
import Glibc
#endif

extension Workspace {
    /// Rename (move) the file or directory `source` to `destination`, both in this workspace; never replaces
    /// an existing `destination` (409). Both parents are opened beneath the workspace like every other use, and the
    /// rename is one renameat2(2) between those two descriptors, so neither name can be redirected outside. A
    /// symbolic link, a multiply linked file or a FIFO, socket or device at `source` is refused; so is moving a
    /// directory into itself (the kernel's EINVAL).
    public func rename(_ source: WorkspacePath, to destination: WorkspacePath) throws(WorkspaceError) {
        let shown = source.description
        guard let name = source.name, let sourceParentPath = source.parent,
              let newName = destination.name, let destinationParentPath = destination.parent else {
            throw WorkspaceError(.invalidPath, path: shown, "the workspace's top directory cannot be renamed")
        }
        let sourceParent = try openDirectory(sourceParentPath)
        let destinationParent = try openDirectory(destinationParentPath)
        let info = try sourceParent.status(ofEntry: name)
        if info.st_mode & S_IFMT != S_IFDIR { try Self.requireSingleLinkedFile(info, path: shown) }
        guard shellama_rename(sourceParent.fd, name, destinationParent.fd, newName, 1) == 0 else {
            let code = errno
            if code == EINVAL {
                throw WorkspaceError(.intoItself, path: shown,
                                     "'\(shown)' cannot be moved into itself ('\(destination.description)')")
            }
            throw Descriptor.error(code, path: code == EEXIST ? destination.description : shown, doing: "rename")
        }
    }
}
