import CSheLLama

#if canImport(Glibc)
import Glibc
#endif

extension Workspace {
    /// The content of the regular file at `path`.
    ///
    /// Opened first with shellama_o_path() and checked (a regular file, one link, under the size cap), then opened for
    /// reading and compared by device and inode, so a FIFO or device is never opened and a swap in between is
    /// refused.
    public func read(_ path: WorkspacePath) throws(WorkspaceError) -> [UInt8] {
        let shown = path.description
        let probe = try directory.openBeneath(path.relativeText, flags: shellama_o_path(), display: shown)
        let expected = try probe.status()
        try Self.requireSingleLinkedFile(expected, path: shown)
        try checkFileSize(Int(expected.st_size), path: shown)
        let file = try directory.openBeneath(path.relativeText, flags: O_RDONLY | O_NOCTTY | O_NONBLOCK, display: shown)
        let info = try file.status()
        guard info.st_dev == expected.st_dev, info.st_ino == expected.st_ino else {
            throw WorkspaceError(.changed, path: shown, "'\(shown)' changed while it was being opened; try again")
        }
        try Self.requireSingleLinkedFile(info, path: shown)
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(file.fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Descriptor.error(errno, path: shown, doing: "read") }
            if count == 0 { break }
            content += chunk[0..<count]
            try checkFileSize(content.count, path: shown)
        }
        return content
    }

    /// Write `content` to `path` atomically: a temporary file in the same directory, owned by the workspace's
    /// owner, renamed over the name (never written through an existing file, so a link planted at `path` is
    /// replaced, not followed). `overwrite: false` refuses an existing file (409), even one created meanwhile.
    ///
    /// - Returns: whether a file was replaced.
    @discardableResult
    public func write(_ path: WorkspacePath, content: [UInt8], overwrite: Bool) throws(WorkspaceError) -> Bool {
        let shown = path.description
        guard let name = path.name, let parentPath = path.parent else {
            throw WorkspaceError(.notAFile, path: shown, "the workspace's top directory is not a file")
        }
        try checkFileSize(content.count, path: shown)
        let parent = try openDirectory(parentPath)
        let existingSize = try existingFileSize(name, in: parent, path: shown, overwrite: overwrite)
        let usage = try usage()
        try checkQuota(entries: usage.entries + (existingSize == nil ? 1 : 0),
                       bytes: usage.bytes - (existingSize ?? 0) + content.count, path: shown)
        let temporary = ".shellama-\(UInt64.random(in: 0...UInt64.max)).tmp"
        let file = try parent.openBeneath(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o660,
                                          display: parent.join(temporary))
        do throws(WorkspaceError) {
            try own(file, mode: 0o660)
            try Self.writeAll(content, to: file)
            guard shellama_rename(parent.fd, temporary, parent.fd, name, overwrite ? 0 : 1) == 0 else {
                throw Descriptor.error(errno, path: shown, doing: "rename")
            }
        } catch {
            unlinkat(parent.fd, temporary, 0)
            throw error
        }
        return existingSize != nil
    }

    /// Delete the regular file at `path` (a directory: `deleteDirectory`). A symbolic link, a multiply linked file
    /// or a FIFO, socket or device there is refused like any other use of it (a job may remove those).
    public func deleteFile(_ path: WorkspacePath) throws(WorkspaceError) {
        let shown = path.description
        guard let name = path.name, let parentPath = path.parent else {
            throw WorkspaceError(.notAFile, path: shown, "the workspace's top directory is not a file")
        }
        let parent = try openDirectory(parentPath)
        try Self.requireSingleLinkedFile(try parent.status(ofEntry: name), path: shown)
        guard unlinkat(parent.fd, name, 0) == 0 else { throw Descriptor.error(errno, path: shown, doing: "unlink") }
    }

    /// The size of the file `name` in `parent` if one exists there; refuses what may not be replaced.
    private func existingFileSize(_ name: String, in parent: Descriptor, path: String, overwrite: Bool)
        throws(WorkspaceError) -> Int? {
        let info: stat
        do throws(WorkspaceError) {
            info = try parent.status(ofEntry: name)
        } catch where error.code == .notFound {
            return nil
        }
        try Self.requireSingleLinkedFile(info, path: path)
        guard overwrite else {
            throw WorkspaceError(.exists, path: path, "'\(path)' already exists; send overwrite: true to replace it")
        }
        return Int(info.st_size)
    }

    func checkFileSize(_ size: Int, path: String) throws(WorkspaceError) {
        guard size <= limits.maxFileBytes else {
            throw WorkspaceError(.fileTooLarge, path: path,
                                 "'\(path)' is larger than SHELLAMA_MAX_FILE_BYTES (\(limits.maxFileBytes) bytes)")
        }
    }

    private static func writeAll(_ content: [UInt8], to file: Descriptor) throws(WorkspaceError) {
        var offset = 0
        while offset < content.count {
            let count = content[offset...].withUnsafeBytes { Glibc.write(file.fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Descriptor.error(errno, path: file.path, doing: "write") }
            offset += count
        }
    }
}
