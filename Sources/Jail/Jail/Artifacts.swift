#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Files to copy out of the job's working directory after the job, and the caps on them.
public struct ArtifactRequest: Sendable, Equatable {
    /// The files to copy, beneath the working directory.
    public var paths: [RelativePath]
    /// The largest artifact copied; a larger one is refused (reported with an error, no content).
    public var maxBytes: Int
    /// All artifacts together; one that would go past it is refused.
    public var totalBytes: Int

    public init(paths: [RelativePath], maxBytes: Int, totalBytes: Int) {
        self.paths = paths
        self.maxBytes = maxBytes
        self.totalBytes = totalBytes
    }
}

/// One requested artifact after the job: its contents, or why it could not be copied.
public struct CollectedArtifact: Sendable, Equatable {
    public var path: String
    /// The file's whole contents; nil when `error` says why it was not copied.
    public var contents: [UInt8]?
    /// The file's size, when it is a regular file (also when it was refused for its size).
    public var size: Int?
    public var error: String?
}

/// Copies artifacts out of a finished job's working directory.
///
/// Where the copy runs, and why there: the job's init sends the host an `O_PATH` fd of the working directory
/// before the program starts (`bj_plan.workdir_socket`). The host copies after the job has ended, when its pid
/// namespace is gone and no job process is left to swap a file for a symlink mid-copy; the open fd keeps the
/// tmpfs alive after the mount namespace is torn down. Every path is opened with `openat2` below that fd with
/// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV: no `..`, no symlink at any step
/// (a link to /etc/passwd is refused, never followed), no mount crossing. Only regular files are copied.
enum ArtifactCollector {
    /// Collect `request.paths` below `workdirFD`, in order, within the caps.
    static func collect(from workdirFD: Int32, _ request: ArtifactRequest) -> [CollectedArtifact] {
        var remaining = request.totalBytes
        return request.paths.map { path in
            var artifact = collect(path, from: workdirFD, maxBytes: request.maxBytes)
            if let contents = artifact.contents {
                if contents.count > remaining {
                    artifact.contents = nil
                    artifact.error = "is \(contents.count) bytes; with the artifacts before it, over the total "
                        + "artifact cap of \(request.totalBytes) bytes"
                } else {
                    remaining -= contents.count
                }
            }
            return artifact
        }
    }

    private static func collect(_ path: RelativePath, from workdirFD: Int32, maxBytes: Int) -> CollectedArtifact {
        var artifact = CollectedArtifact(path: path.string)
        let fd = bj_open_beneath(workdirFD, path.string)
        guard fd >= 0 else {
            artifact.error = describe(errno: -fd)
            return artifact
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            artifact.error = "cannot stat: \(String(cString: strerror(errno)))"
            return artifact
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            artifact.error = "is not a regular file"
            return artifact
        }
        let size = Int(st.st_size)
        artifact.size = size
        guard size <= maxBytes else {
            artifact.error = "is \(size) bytes, over the artifact cap of \(maxBytes) bytes"
            return artifact
        }
        var contents = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = contents[offset...].withUnsafeMutableBytes { Syscall.read(fd, into: $0) }
            if n <= 0 {
                artifact.error = n == 0 ? "shrank while being copied" : "cannot read: \(String(cString: strerror(Int32(-n))))"
                return artifact
            }
            offset += n
        }
        artifact.contents = contents
        return artifact
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no such file in the working directory"
        case ELOOP: "is or passes through a symbolic link (never followed)"
        case EXDEV: "escapes the working directory"
        case ENOTDIR: "a parent is not a directory"
        case ENOSYS: "this kernel has no openat2 (Linux 5.6+ is needed to copy artifacts safely)"
        default: "cannot open: \(String(cString: strerror(code)))"
        }
    }
}
