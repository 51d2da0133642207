#if canImport(Glibc)
import Glibc
#endif

/// A per-job identity: an exclusive slot number, and the unused high host uid/gid range it owns.
///
/// As isolate does per box, every concurrently running job gets its own host ids, so two jobs can never
/// signal, ptrace or share files with each other even if both escaped their namespaces. A slot is held with
/// an `flock` on `<directory>/<n>.lock`, so it is released by the kernel when the holder dies, even on
/// `kill -9`; the next holder then cleans up whatever the dead one left (see `Sandbox`).
///
/// Inside the job, uid/gid 0 (the init, which builds the root) maps to `hostBase`, and the job's user
/// (`jobId`, 1000) maps to `hostBase + 1`. Neither is ever host root.
public struct IdentitySlot: ~Copyable {
    /// The slot number, also in the name of the job's cgroup (`job-<instance>-<n>`).
    public let number: Int
    /// Host uid/gid of the job's init (inside id 0).
    public let hostBase: UInt32
    /// Host uid/gid of the job's user.
    public var hostJobId: UInt32 { hostBase + 1 }
    /// The job's uid/gid inside its user namespace.
    public static let jobId: UInt32 = 1000
    private let lockFD: Int32

    /// Take the first free slot among `count`, or throw `.busy`.
    ///
    /// - Parameters:
    ///   - directory: where lock files live (created 0700 if missing).
    ///   - uidBase: first host id of the range; slot n uses `uidBase + 2n` and `uidBase + 2n + 1`.
    public init(directory: String, uidBase: UInt32, count: Int) throws(JailError) {
        try Self.createDirectory(directory)
        for n in 0..<count {
            if let fd = try Self.lock(directory: directory, number: n) {
                number = n
                hostBase = uidBase + UInt32(2 * n)
                lockFD = fd
                return
            }
        }
        throw JailError(.busy, stage: "allocate slot", message: "all \(count) sandbox slots are in use",
                        hint: "wait for running jobs or raise BEXY_MAX_SLOTS")
    }

    /// Take slot `number` itself, or throw `.busy` if a live job (of any bexy process) holds it.
    public init(directory: String, uidBase: UInt32, number: Int) throws(JailError) {
        try Self.createDirectory(directory)
        guard let fd = try Self.lock(directory: directory, number: number) else {
            throw JailError(.busy, stage: "claim slot", message: "sandbox slot \(number) is in use")
        }
        self.number = number
        hostBase = uidBase + UInt32(2 * number)
        lockFD = fd
    }

    private static func createDirectory(_ directory: String) throws(JailError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .system("create slot directory \(directory)", hint: "run bexy as root")
        }
    }

    /// flock(2) `<directory>/<number>.lock` without waiting: the locked fd, or nil if another holder has it.
    private static func lock(directory: String, number: Int) throws(JailError) -> Int32? {
        let fd = open("\(directory)/\(number).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("open slot lock \(number)") }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return fd }
        close(fd)
        return nil
    }

    /// The uid_map/gid_map text for this slot.
    public var idMap: String { idMap(jobUserOnHost: hostJobId) }

    /// The uid_map or gid_map text with the job's user mapped to `host` instead of `hostJobId` (a workspace job
    /// runs as the workspace's owner; the init stays `hostBase`).
    public func idMap(jobUserOnHost host: UInt32) -> String { "0 \(hostBase) 1\n\(Self.jobId) \(host) 1\n" }

    deinit { close(lockFD) }
}
