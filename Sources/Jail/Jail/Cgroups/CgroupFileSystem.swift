#if canImport(Glibc)
import Glibc
#endif

/// A failed file-system call under a cgroup mount: just the errno, so callers can branch on it.
public struct CgroupFileSystemError: Error, Sendable, Equatable {
    /// errno of the failing call.
    public var errno: Int32

    public init(errno: Int32) {
        self.errno = errno
    }
}

/// The seam between the cgroup logic and the kernel: every cgroup file-system call goes through here.
///
/// `RealCgroupFileSystem` performs the calls with Glibc; tests substitute a recording double, so the exact
/// writes of a hierarchy can be asserted without root. All paths are absolute.
public protocol CgroupFileSystem: Sendable {
    /// Create the directory `path` (mode 0755); a cgroup file system populates it with interface files.
    func mkdir(_ path: String) throws(CgroupFileSystemError)
    /// Remove the (cgroup) directory `path`; fails with EBUSY while it still has tasks or children.
    func rmdir(_ path: String) throws(CgroupFileSystemError)
    /// Write `value` in one `write` to the existing file `path` (never created: a missing interface file is ENOENT).
    func write(_ path: String, _ value: String) throws(CgroupFileSystemError)
    /// The whole content of `path`, or nil if it cannot be read.
    func read(_ path: String) -> String?
    /// Whether `path` exists (following symlinks).
    func exists(_ path: String) -> Bool
    /// Open `path` (a cgroup v1 `tasks` file) with O_WRONLY|O_CLOEXEC and return the fd.
    func openForJoin(_ path: String) throws(CgroupFileSystemError) -> Int32
    /// Open the directory `path` with O_RDONLY|O_DIRECTORY|O_CLOEXEC and return the fd.
    func openDirectory(_ path: String) throws(CgroupFileSystemError) -> Int32
    /// Close `fd`; errors are ignored (the fd is gone either way on Linux).
    func close(_ fd: Int32)
}

/// The production `CgroupFileSystem`: plain Glibc calls, retried on EINTR.
public struct RealCgroupFileSystem: CgroupFileSystem {
    public init() {}

    public func mkdir(_ path: String) throws(CgroupFileSystemError) {
        try Self.check(retrying { Glibc.mkdir(path, 0o755) })
    }

    public func rmdir(_ path: String) throws(CgroupFileSystemError) {
        try Self.check(retrying { Glibc.rmdir(path) })
    }

    public func write(_ path: String, _ value: String) throws(CgroupFileSystemError) {
        let fd = retrying { Glibc.open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        if fd < 0 { throw CgroupFileSystemError(errno: Glibc.errno) }
        defer { _ = Glibc.close(fd) }
        // Cgroup interface files take one value per write(2); never split it.
        var bytes = Array(value.utf8)
        let count = bytes.count
        let written = bytes.withUnsafeMutableBytes { buffer in
            retrying { Glibc.write(fd, buffer.baseAddress, count) }
        }
        if written < 0 { throw CgroupFileSystemError(errno: Glibc.errno) }
        if written != count { throw CgroupFileSystemError(errno: EIO) }
    }

    public func read(_ path: String) -> String? {
        let fd = retrying { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 { return nil }
        defer { _ = Glibc.close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in
                retrying { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if n < 0 { return nil }
            if n == 0 { break }
            content.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: content, as: UTF8.self)
    }

    public func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func openForJoin(_ path: String) throws(CgroupFileSystemError) -> Int32 {
        let fd = retrying { Glibc.open(path, O_WRONLY | O_CLOEXEC) }
        if fd < 0 { throw CgroupFileSystemError(errno: Glibc.errno) }
        return fd
    }

    public func openDirectory(_ path: String) throws(CgroupFileSystemError) -> Int32 {
        let fd = retrying { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if fd < 0 { throw CgroupFileSystemError(errno: Glibc.errno) }
        return fd
    }

    public func close(_ fd: Int32) {
        // No EINTR retry: on Linux the fd is released even when close reports EINTR.
        _ = Glibc.close(fd)
    }

    private static func check(_ result: Int32) throws(CgroupFileSystemError) {
        if result != 0 { throw CgroupFileSystemError(errno: Glibc.errno) }
    }
}

/// Run a system call again while it fails with EINTR.
private func retrying<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}

extension CgroupFileSystem {
    /// Remove `path`, retrying a few times with short sleeps while the kernel still reports EBUSY (a task that
    /// just exited can keep a cgroup populated for a moment). A directory that is already gone counts as removed.
    func removeDirectoryRetrying(_ path: String) throws(CgroupFileSystemError) {
        let delaysMicroseconds: [UInt32] = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000]
        var attempt = 0
        while true {
            do throws(CgroupFileSystemError) {
                try rmdir(path)
                return
            } catch {
                if error.errno == ENOENT { return }
                guard error.errno == EBUSY, attempt < delaysMicroseconds.count else { throw error }
                usleep(delaysMicroseconds[attempt])
                attempt += 1
            }
        }
    }
}
