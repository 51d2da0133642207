/// What every sandbox of one host shares, cold or warm: where slots and roots live, the cgroup hierarchy and
/// the kernel facts probed once by `Sandbox.init`. (`package`: JailWarm's `WarmPool` forks over it.)
package struct SandboxHost: Sendable {
    package let configuration: SandboxConfiguration
    package let cgroups: any CgroupHierarchy
    package let capLastCap: Int32
    /// Host directory every job's root tmpfs is mounted on (inside the job's own mount namespace).
    package let rootMountPoint: String
    package let notifiesBlockedSyscalls: Bool

    /// Where the identity slots' lock files live.
    var slotDirectory: String { configuration.runtimeDirectory + "/slots" }

    /// Take a free identity slot (its uid range and its cgroup name).
    package func takeSlot() throws(JailError) -> IdentitySlot {
        try IdentitySlot(directory: slotDirectory, uidBase: configuration.uidBase, count: configuration.maxSlots)
    }
}
