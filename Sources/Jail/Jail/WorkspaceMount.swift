import CJailShim

/// A host directory a job gets read-write (nosuid, nodev; not noexec) at a mount point of its root, as its
/// working directory (or a directory beneath it), its user running as the directory's owner so that what the job
/// writes belongs to that owner on the host.
///
/// The directory is bound from its open descriptor (`HostDirectory`), never from a path: the job's init moves a
/// detached clone of it (made in the host's mount namespace, see `bj_detached_bind`) onto the mount point.
/// Jobs with a workspace always run cold.
public struct WorkspaceMount: Sendable {
    /// The host directory, held open.
    public var directory: HostDirectory
    /// Where it appears in the job: one component under the root, e.g. `workspace` for `/workspace`.
    public var mountPoint: RelativePath
    /// The job's working directory beneath the mount point; nil: the mount point itself.
    public var workingDirectory: RelativePath?

    /// Top-level names of the job's root that a workspace may not cover.
    static let reservedNames: Set<String> = Set(RootFilesystem.hostSystemPaths + ["etc", "dev", "proc", "tmp",
                                                                                   String(RootFilesystem.workdir.dropFirst())])

    /// - Throws: `JailError` (`invalidConfiguration`) when `mountPoint` is not one component or names a
    ///   directory of the job's own root (`usr`, `etc`, `dev`, `proc`, `tmp`, `sandbox`, ...).
    public init(directory: HostDirectory, mountPoint: RelativePath,
                workingDirectory: RelativePath? = nil) throws(JailError) {
        guard Self.isValidMountPoint(mountPoint) else {
            throw JailError(.invalidConfiguration, stage: "workspace mount point",
                            message: "a workspace mount point must be one directory under the root other than "
                                + Self.reservedNames.sorted().joined(separator: ", ") + "; got '/\(mountPoint)'")
        }
        self.directory = directory
        self.mountPoint = mountPoint
        self.workingDirectory = workingDirectory
    }

    /// Whether `mountPoint` is one component under the root that is not one of the root's own directories.
    public static func isValidMountPoint(_ mountPoint: RelativePath) -> Bool {
        mountPoint.components.count == 1 && !reservedNames.contains(mountPoint.string)
    }

    /// The job's working directory as an absolute path inside the job.
    public var jobWorkingDirectory: String {
        "/" + mountPoint.string + (workingDirectory.map { "/" + $0.string } ?? "")
    }
}

extension WorkspaceMount {
    /// The host uid/gid the job's user runs as: the directory's owner, refused (fail closed) when it is root or
    /// inside the slot range of `configuration` (the ids of other jobs' users and inits).
    ///
    /// - Throws: `JailError` (`invalidConfiguration`, stage `workspace owner`) naming the owner and the rule.
    func jobUser(outside configuration: SandboxConfiguration) throws(JailError) -> HostDirectory.Owner {
        let owner = try directory.owner()
        let slots = UInt64(configuration.uidBase)..<(UInt64(configuration.uidBase) + 2 * UInt64(configuration.maxSlots))
        for (kind, id) in [("uid", owner.uid), ("gid", owner.gid)] {
            if id == 0 || slots.contains(UInt64(id)) {
                throw JailError(.invalidConfiguration, stage: "workspace owner",
                                message: "the workspace is owned by \(kind) \(id), which a job may not run as "
                                    + (id == 0 ? "(root)" : "(inside BEXY's slot range \(slots.lowerBound)..<\(slots.upperBound))"),
                                hint: "chown the workspace to SHELLAMA_UID:SHELLAMA_GID (never 0, never a slot id)")
            }
        }
        return owner
    }

    /// A detached, nosuid, nodev clone of the directory for the job's init to move into its root (its fd).
    func detachedTree() throws(JailError) -> Int32 {
        var failedStep: UnsafePointer<CChar>?
        let fd = bj_detached_bind(directory.descriptor, &failedStep)
        guard fd >= 0 else {
            throw .system("workspace " + (failedStep.map { String(cString: $0) } ?? "bind"), errno: -fd,
                          hint: "the kernel needs open_tree and mount_setattr (Linux 5.12 or later)")
        }
        return fd
    }
}
