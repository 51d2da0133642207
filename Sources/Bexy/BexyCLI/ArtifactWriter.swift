import Bexy
import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Writes the artifacts of a result under `bexy exec --artifacts-dir OUT`: `OUT/<path>`, directories created
/// as needed, never following a symlink already in OUT (every component is opened with `O_NOFOLLOW`).
/// Artifacts that were not copied (their `error` says why) are not written; the result lists them.
enum ArtifactWriter {
    struct Failure: Error {
        var message: String
    }

    static func write(_ artifacts: [ArtifactResult], under directory: String) throws(Failure) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw .system("mkdir \(directory)") }
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw .system(directory) }
        defer { close(root) }
        for artifact in artifacts {
            guard let content = artifact.content else { continue }
            let components: [String]
            do throws(JailError) {
                components = try RelativePath(artifact.path).components
            } catch {
                throw Failure(message: error.message)
            }
            var parent = dup(root)
            defer { close(parent) }
            for name in components.dropLast() {
                if mkdirat(parent, name, 0o755) != 0 && errno != EEXIST { throw .system("mkdir \(name)") }
                let next = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard next >= 0 else { throw .system(artifact.path) }
                close(parent)
                parent = next
            }
            let fd = openat(parent, components.last!, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .system(artifact.path) }
            defer { close(fd) }
            var offset = 0
            while offset < content.count {
                let n = content[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw .system(artifact.path) }
                offset += n
            }
        }
    }
}

extension ArtifactWriter.Failure {
    /// `what: strerror(errno)`.
    static func system(_ what: String) -> Self {
        Self(message: "\(what): \(String(cString: strerror(errno)))")
    }
}
