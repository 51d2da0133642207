#if canImport(Glibc)
import Glibc
#endif

/// How many pre-isolated sandboxes a `WarmPool` keeps, and for how long.
public struct WarmPoolConfiguration: Sendable, Equatable {
    /// The bexy-zygote executable.
    public var zygotePath: String
    /// Most ready sandboxes kept for one job shape (profile and limits). Default 4.
    public var maxIdlePerShape: Int
    /// Most ready sandboxes kept in total. Default 16.
    public var maxIdle: Int
    /// A ready sandbox older than this is destroyed and replaced; a shape whose jobs all found a ready sandbox
    /// for this long keeps one fewer. Default 30 s.
    public var idleTimeoutSeconds: Int
    /// A shape with no job for this long keeps no ready sandbox (its cost drops to zero). Default 300 s.
    public var shapeTimeoutSeconds: Int

    public init(zygotePath: String, maxIdlePerShape: Int = 4, maxIdle: Int = 16, idleTimeoutSeconds: Int = 30,
                shapeTimeoutSeconds: Int = 300) {
        self.zygotePath = zygotePath
        self.maxIdlePerShape = maxIdlePerShape
        self.maxIdle = maxIdle
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.shapeTimeoutSeconds = shapeTimeoutSeconds
    }

    /// `bexy-zygote` next to the running executable (where `swift build` and `make install` put it).
    public static var siblingZygotePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "bexy-zygote" }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            + "/bexy-zygote"
    }
}

/// What a `WarmPool` holds and has done: its idle cost (for /metrics and `bexy doctor`) and its counters.
public struct WarmPoolStatistics: Sendable, Equatable {
    /// Ready sandboxes waiting for a job.
    public var idleSandboxes = 0
    /// Memory charged to the ready sandboxes' cgroups.
    public var idleMemoryBytes = 0
    /// cgroup directories the ready sandboxes hold (v1: one per controller).
    public var idleCgroups = 0
    /// Running bexy-zygote processes and their resident memory (shared with their sandboxes).
    public var zygotes = 0
    public var zygoteResidentBytes = 0
    /// Host pids of the running zygotes.
    public var zygotePids: [Int32] = []
    /// How many ready sandboxes the pool aims to keep now, over all shapes.
    public var targetIdle = 0
    /// Jobs handed a ready sandbox.
    public var hits = 0
    /// Jobs that waited for a sandbox to be forked for them.
    public var misses = 0
    /// Jobs the pool did not take (not a script job, or no usable interpreter): they ran cold.
    public var cold = 0
    /// Ready sandboxes destroyed unused (too old, or no longer needed).
    public var recycled = 0
    /// Sandboxes that failed to fork or to become ready.
    public var failures = 0
    /// Why some jobs cannot run warm (e.g. bexy-zygote is missing), if so.
    public var unavailableReason: String?

    public init() {}
}
