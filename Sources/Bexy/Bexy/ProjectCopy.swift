import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Caps on a project directory copied into a job, and on the artifacts copied back out.
///
/// Configured by `BEXY_MAX_PROJECT_BYTES` (16 MiB), `BEXY_MAX_PROJECT_FILES` (2,000), `BEXY_MAX_ARTIFACT_BYTES`
/// (4 MiB per artifact) and `BEXY_MAX_ARTIFACTS_BYTES` (8 MiB in all). The project also has to fit the profile's
/// `workdir_bytes` tmpfs, or the sandbox setup fails with ENOSPC.
public struct ProjectLimits: Sendable, Equatable {
    public var projectBytes: Int
    public var projectFiles: Int
    public var artifactBytes: Int
    public var artifactsTotalBytes: Int

    public init(projectBytes: Int = 16 << 20, projectFiles: Int = 2_000, artifactBytes: Int = 4 << 20,
                artifactsTotalBytes: Int = 8 << 20) {
        self.projectBytes = projectBytes
        self.projectFiles = projectFiles
        self.artifactBytes = artifactBytes
        self.artifactsTotalBytes = artifactsTotalBytes
    }
}

/// Why a project directory cannot be copied into a job (over HTTP: 400, 413 and 403 by `kind`).
public struct ProjectError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Missing, not a directory, or unreadable.
        case unreadable
        /// Over `project_bytes` or `project_files`.
        case tooLarge
        /// Not under any allowed project root.
        case outsideRoots
    }

    public var kind: Kind
    public var message: String
    public var description: String { "project: \(message)" }
}

/// A host directory read for copying into a job's working directory: its regular files (with their directories),
/// and what was skipped, with the reason.
///
/// The walk never follows a symlink: every entry is opened with `O_NOFOLLOW` relative to its parent's fd and
/// checked with `fstat`, so a link to `/etc/passwd` is skipped, never read. Symlinks, devices, fifos and sockets
/// are skipped with a reason; empty directories are not recreated (only the directories of copied files are).
public struct ProjectCopy: Sendable, Equatable {
    /// A project entry that was not copied: the result's `project_skipped` entry.
    public typealias Skipped = ProjectSkippedEntry

    /// The files to place in the working directory, paths relative to the project's root.
    public var files: [JobFile]
    public var skipped: [Skipped]
    /// Total bytes of `files`.
    public var bytes: Int { files.reduce(0) { $0 + $1.contents.count } }

    /// Read the directory at `path` (the CLI: anything the invoking user can read).
    public static func read(_ path: String, limits: ProjectLimits) throws(ProjectError) -> ProjectCopy {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProjectError(kind: .unreadable, message: "\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return try read(directory: fd, limits: limits)
    }

    private static func read(directory fd: Int32, limits: ProjectLimits) throws(ProjectError) -> ProjectCopy {
        var copy = ProjectCopy(files: [], skipped: [])
        var total = 0
        try copy.walk(fd, prefix: "", limits: limits, total: &total)
        return copy
    }

    /// Read `path` only if it lies under one of `roots` (absolute, already resolved host directories): `path` is
    /// resolved with realpath, matched by whole components, then opened from the root's fd one `O_NOFOLLOW`
    /// component at a time, so a symlink swapped in after the check is not followed either.
    public static func read(_ path: String, under roots: [String], limits: ProjectLimits) throws(ProjectError)
        -> ProjectCopy
    {
        guard let resolved = realpath(path, nil) else {
            throw ProjectError(kind: .unreadable, message: "\(path): \(String(cString: strerror(errno)))")
        }
        let real = String(cString: resolved)
        free(resolved)
        guard let root = roots.first(where: { real == $0 || real.hasPrefix($0 == "/" ? "/" : $0 + "/") }) else {
            throw ProjectError(kind: .outsideRoots,
                               message: "\(path) is outside the allowed project roots (BEXY_PROJECT_ROOTS)")
        }
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProjectError(kind: .unreadable, message: "\(root): \(String(cString: strerror(errno)))")
        }
        for component in real.dropFirst(root.count).split(separator: "/") {
            let next = openat(fd, String(component), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(fd)
            guard next >= 0 else {
                throw ProjectError(kind: .unreadable, message: "\(path): \(String(cString: strerror(errno)))")
            }
            fd = next
        }
        defer { close(fd) }
        return try read(directory: fd, limits: limits)
    }

    private mutating func walk(_ directory: Int32, prefix: String, limits: ProjectLimits,
                               total: inout Int) throws(ProjectError) {
        for name in Self.entries(directory) {
            let path = prefix + name
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                skipped.append(Skipped(path: path, reason: String(cString: strerror(errno))))
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else {
                    skipped.append(Skipped(path: path, reason: String(cString: strerror(errno))))
                    continue
                }
                defer { close(child) }
                try walk(child, prefix: path + "/", limits: limits, total: &total)
            case S_IFREG:
                guard files.count < limits.projectFiles else {
                    throw ProjectError(kind: .tooLarge, message: "has more than \(limits.projectFiles) files "
                                       + "(project_files, BEXY_MAX_PROJECT_FILES)")
                }
                try add(path, name: name, in: directory, limits: limits, total: &total)
            case S_IFLNK:
                skipped.append(Skipped(path: path, reason: "symbolic link (not followed)"))
            default:
                skipped.append(Skipped(path: path, reason: "not a regular file or directory"))
            }
        }
    }

    private mutating func add(_ path: String, name: String, in directory: Int32, limits: ProjectLimits,
                              total: inout Int) throws(ProjectError) {
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        var st = stat()
        guard fd >= 0 else {
            skipped.append(Skipped(path: path, reason: String(cString: strerror(errno))))
            return
        }
        defer { close(fd) }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            skipped.append(Skipped(path: path, reason: "not a regular file or directory"))
            return
        }
        let room = limits.projectBytes - total
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw ProjectError(kind: .unreadable, message: "\(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            contents.append(contentsOf: chunk[0..<n])
            guard contents.count <= room else {
                throw ProjectError(kind: .tooLarge, message: "is over \(limits.projectBytes) bytes (project_bytes, "
                                   + "BEXY_MAX_PROJECT_BYTES)")
            }
        }
        guard let relative = try? RelativePath(path) else {
            skipped.append(Skipped(path: path, reason: "not a safe relative path"))
            return
        }
        total += contents.count
        files.append(JobFile(path: relative, contents: contents, executable: st.st_mode & 0o111 != 0))
    }

    /// The names in `directory`, without `.` and `..`, sorted (a stable copy order).
    private static func entries(_ directory: Int32) -> [String] {
        let fd = dup(directory)
        guard fd >= 0 else { return [] }
        guard let stream = fdopendir(fd) else {
            close(fd)
            return []
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
