#if canImport(Glibc)
import Glibc
#endif

/// Reads small files whole (`/proc/<pid>/cmdline`, whose size the kernel reports as 0) or the end of a log.
enum FileBytes {
    /// The bytes of `path`, only its last `lastBytes` when given; nil if it cannot be opened.
    static func read(_ path: String, lastBytes: Int? = nil) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if let lastBytes {
            var info = stat()
            if fstat(fd, &info) == 0, Int(info.st_size) > lastBytes {
                lseek(fd, off_t(Int(info.st_size) - lastBytes), SEEK_SET)
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
