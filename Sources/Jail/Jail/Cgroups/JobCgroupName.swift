extension SandboxConfiguration {
    /// The short name that sets this BEXY instance's job cgroups apart from another instance's on the same host:
    /// 8 hex digits of an FNV-1a hash of `runtimeDirectory` (repeated and trailing "/" ignored), e.g. "3f2a91c0".
    ///
    /// Each instance keeps its identity slots in its own runtime directory, so two instances with different
    /// `BEXY_RUNTIME_DIR`s both have a slot 0; the instance in the cgroup name keeps their jobs (and the stale-job
    /// sweep of one) apart.
    public var instance: String {
        let normalized = "/" + runtimeDirectory.split(separator: "/").joined(separator: "/")
        var hash: UInt32 = 0x811c_9dc5
        for byte in normalized.utf8 {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The cgroup of the job in identity slot `slot`: `job-<instance>-<slot>`.
    public func cgroupName(slot: Int) -> String { "job-\(instance)-\(slot)" }
}
