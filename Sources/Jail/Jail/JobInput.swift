#if canImport(Glibc)
import Glibc
#endif

/// Where a job's stdin comes from. The job never gets a descriptor of the host's own: either a memfd holding the
/// bytes, or the read end of a pipe that the caller feeds while the job runs.
public enum JobInput: Sendable {
    /// These bytes, then end of file.
    case bytes([UInt8])
    /// What the caller writes into a pipe while the job runs, until it closes the write end. `readEnd` is the
    /// pipe's read end: the caller keeps it and closes it after the run; the job reads a duplicate.
    case pipe(readEnd: Int32)

    /// An empty stdin (immediate end of file).
    public static let empty = JobInput.bytes([])

    /// A new descriptor for the job's fd 0, which the caller closes once the job has it: a memfd holding the bytes
    /// (no host path, nothing to leak), or a close-on-exec duplicate of the pipe's read end.
    package func descriptorForJob() throws(JailError) -> Int32 {
        switch self {
        case .bytes(let bytes):
            return try Syscall.memfd("bexy-stdin", bytes: bytes)
        case .pipe(let readEnd):
            let fd = fcntl(readEnd, F_DUPFD_CLOEXEC, 3)
            guard fd >= 0 else { throw .system("dup the stdin pipe") }
            return fd
        }
    }
}
