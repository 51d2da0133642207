#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Owns the C memory of one `bj_plan` (strings, arrays) for the duration of a spawn.
///
/// The child reads this memory after clone3 (it is a copy-on-write image of the parent), so everything is
/// allocated before the spawn and freed only after it returned.
final class CPlanArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy of `text`.
    func string(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// A copy of `bytes` (never NULL, even when empty).
    func bytes(_ bytes: [UInt8]) -> UnsafePointer<CChar> {
        let pointer = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { if let base = $0.baseAddress { memcpy(pointer, base, bytes.count) } }
        allocations.append(pointer)
        return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
    }

    /// A NULL-terminated array of C strings (argv, envp).
    func stringArray(_ items: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (i, item) in items.enumerated() { array[i] = UnsafeMutablePointer(mutating: string(item)) }
        array[items.count] = nil
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }

    /// A copy of `items` as a C array.
    func array<T>(_ items: [T]) -> UnsafePointer<T> {
        let array = UnsafeMutablePointer<T>.allocate(capacity: max(items.count, 1))
        array.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }

    deinit {
        for pointer in allocations { free(pointer) }
    }
}

extension MountStep {
    /// This step as the C struct the child executes.
    func cValue(in arena: CPlanArena) -> bj_mount {
        var m = bj_mount()
        switch self {
        case .directory(let path, let mode, let owned):
            m.kind = Int32(BJ_MOUNT_DIR.rawValue)
            m.target = arena.string(path)
            m.mode = mode
            m.chown_job = owned ? 1 : 0
        case .bindReadOnly(let source, let target, let isDirectory, let locked):
            m.kind = Int32(BJ_MOUNT_BIND_RO.rawValue)
            m.source = arena.string(source)
            m.target = arena.string(target)
            m.source_is_dir = isDirectory ? 1 : 0
            m.flags = locked
        case .bindDevice(let source, let target):
            m.kind = Int32(BJ_MOUNT_BIND_DEV.rawValue)
            m.source = arena.string(source)
            m.target = arena.string(target)
        case .tmpfs(let path, let options, let mode, let owned, let noexec):
            m.kind = Int32(BJ_MOUNT_TMPFS.rawValue)
            m.target = arena.string(path)
            m.data = arena.string(options)
            m.mode = mode
            m.chown_job = owned ? 1 : 0
            m.flags = noexec ? UInt(MS_NOEXEC) : 0
        case .proc(let path):
            m.kind = Int32(BJ_MOUNT_PROC.rawValue)
            m.target = arena.string(path)
        case .symlink(let target, let path):
            m.kind = Int32(BJ_MOUNT_SYMLINK.rawValue)
            m.source = arena.string(target)
            m.target = arena.string(path)
        case .file(let path, let contents, let mode, let owned):
            m.kind = Int32(BJ_MOUNT_FILE.rawValue)
            m.target = arena.string(path)
            m.data = arena.bytes(contents)
            m.data_len = contents.count
            m.mode = mode
            m.chown_job = owned ? 1 : 0
        case .remountReadOnly(let path, let noexec):
            m.kind = Int32(BJ_MOUNT_REMOUNT_RO.rawValue)
            m.target = arena.string(path)
            m.flags = noexec ? UInt(MS_NOEXEC) : 0
        }
        return m
    }

    /// A short description for error messages ("proc", "bind /usr").
    var summary: String {
        switch self {
        case .directory(let path, _, _): return "mkdir /\(path)"
        case .bindReadOnly(let source, _, _, _): return "bind \(source) read-only"
        case .bindDevice(let source, _): return "bind \(source)"
        case .tmpfs(let path, _, _, _, _): return "tmpfs /\(path)"
        case .proc(let path): return "mount /\(path)"
        case .symlink(_, let path): return "symlink /\(path)"
        case .file(let path, _, _, _): return "write /\(path)"
        case .remountReadOnly(let path, _): return "remount /\(path) read-only"
        }
    }
}

extension SandboxPlan {
    /// The plan's part of a `bj_plan`; the caller adds the fds, capabilities and (cold) the program.
    func cPlan(in arena: CPlanArena) -> bj_plan {
        var plan = bj_plan()
        plan.clone_flags = cloneFlags
        plan.uid_map = arena.string(idMap)
        plan.gid_map = arena.string(idMap)
        plan.root_dir = arena.string(rootDirectory)
        plan.root_options = arena.string(rootOptions)
        plan.mounts = arena.array(mounts.map { $0.cValue(in: arena) })
        plan.mount_count = Int32(mounts.count)
        plan.hostname = arena.string(hostname)
        plan.job_uid = IdentitySlot.jobId
        plan.job_gid = IdentitySlot.jobId
        plan.rlimits = arena.array(rlimits)
        plan.rlimit_count = Int32(rlimits.count)
        plan.cap_last_cap = capLastCap
        plan.bpf = UnsafeRawPointer(arena.bytes(seccomp.program))
        plan.bpf_instructions = seccomp.instructionCount
        plan.seccomp_notify = seccompNotify ? 1 : 0
        plan.workdir = arena.string(workdir)
        plan.cgroup_dir_fd = -1
        plan.seccomp_socket = -1
        plan.workdir_socket = -1
        plan.handover_fd = -1
        return plan
    }
}
