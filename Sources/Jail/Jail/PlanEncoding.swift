#if canImport(Glibc)
import Glibc
#endif
import CJailShim

// One conversion of a sandbox plan.
//
// A `SandboxPlan` (Swift values: mount steps, rlimits, id maps, the seccomp program) becomes the C `bj_plan` the
// child path executes in exactly one way: `encoded()` writes it in the plan encoding (`bexy_plan.h`), and the C
// function `bj_plan_decode` reads those bytes into a `bj_plan`. The cold path does both here, just before its
// spawn (`DecodedPlan`); the warm path sends the same bytes to bexy-zygote, which decodes them with the same
// function before its spawn. So the mount plan is never converted twice, and both paths run a plan read by
// the same code from the same bytes. (The bytes, not a C struct, are the shared form because a struct of
// pointers cannot cross into bexy-zygote, while bytes can be decoded on either side of the socket.)

extension SandboxPlan {
    /// The plan in the plan encoding (format in `bexy_plan.h`).
    package func encoded() -> [UInt8] {
        var w = WireWriter()
        w.u64(cloneFlags)
        for text in [rootDirectory, rootOptions, hostname, workdir, uidMap, gidMap] { w.string(text) }
        w.u32(IdentitySlot.jobId)
        w.u32(IdentitySlot.jobId)
        w.u32(UInt32(bitPattern: capLastCap))
        w.u32(seccompNotify ? 1 : 0)
        w.blob(seccomp.program)
        w.u32(UInt32(rlimits.count))
        for limit in rlimits {
            w.u32(UInt32(bitPattern: limit.resource))
            w.u64(limit.soft)
            w.u64(limit.hard)
        }
        w.u32(UInt32(mounts.count))
        for step in mounts { w.mount(step) }
        return w.bytes
    }
}

extension WireWriter {
    /// One mount step: kind, source_is_dir, source, target, data, flags, mode, chown_job (`struct bj_mount`).
    fileprivate mutating func mount(_ step: MountStep) {
        var kind = BJ_MOUNT_DIR, sourceIsDirectory = false, source: String?, target = "", data: [UInt8]?
        var flags: UInt = 0, mode: UInt32 = 0, owned = false
        switch step {
        case .directory(let path, let dirMode, let ownedByJob):
            target = path
            mode = dirMode
            owned = ownedByJob
        case .bindReadOnly(let from, let path, let isDirectory, let locked):
            kind = BJ_MOUNT_BIND_RO
            source = from
            target = path
            sourceIsDirectory = isDirectory
            flags = locked
        case .bindDevice(let from, let path):
            kind = BJ_MOUNT_BIND_DEV
            source = from
            target = path
        case .tmpfs(let path, let options, let dirMode, let ownedByJob, let noexec):
            kind = BJ_MOUNT_TMPFS
            target = path
            data = Array(options.utf8)
            mode = dirMode
            owned = ownedByJob
            flags = noexec ? UInt(MS_NOEXEC) : 0
        case .proc(let path):
            kind = BJ_MOUNT_PROC
            target = path
        case .symlink(let linkTarget, let path):
            kind = BJ_MOUNT_SYMLINK
            source = linkTarget
            target = path
        case .file(let path, let contents, let fileMode, let ownedByJob):
            kind = BJ_MOUNT_FILE
            target = path
            data = contents
            mode = fileMode
            owned = ownedByJob
        case .remountReadOnly(let path, let noexec):
            kind = BJ_MOUNT_REMOUNT_RO
            target = path
            flags = noexec ? UInt(MS_NOEXEC) : 0
        case .workspace(let path):
            kind = BJ_MOUNT_WORKSPACE
            target = path
        }
        u32(kind.rawValue)
        u32(sourceIsDirectory ? 1 : 0)
        blob(source.map { Array($0.utf8) })
        string(target)
        blob(data)
        u64(UInt64(flags))
        u32(mode)
        u32(owned ? 1 : 0)
    }
}

/// The byte writer of the plan encoding and the zygote wire (`bexy_plan.h`, `bexy_zygote_wire.h`): integers
/// in host byte order, str and blob as a u32 length (`BJ_WIRE_NULL`: absent) and the bytes.
package struct WireWriter {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    package mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
    package mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
    package mutating func string(_ text: String) { blob(Array(text.utf8)) }

    package mutating func blob(_ data: [UInt8]?) {
        guard let data else { return u32(BJ_WIRE_NULL) }
        u32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// Raw bytes with a u64 length (the job message's file contents).
    package mutating func longBlob(_ data: [UInt8]) {
        u64(UInt64(data.count))
        bytes.append(contentsOf: data)
    }
}

/// A `bj_plan` decoded in this process from `SandboxPlan.encoded()` (the cold path), owning its memory until
/// it is released (after the spawn).
final class DecodedPlan {
    var plan = bj_plan()
    private var arena = bj_plan_arena()

    init(_ sandboxPlan: SandboxPlan) throws(JailError) {
        let bytes = sandboxPlan.encoded()
        let rc = bytes.withUnsafeBufferPointer { bj_plan_decode($0.baseAddress, $0.count, &plan, &arena) }
        guard rc == 0 else {
            bj_plan_arena_free(&arena)
            throw JailError(.setupFailed, stage: "sandbox plan", message: "the sandbox plan could not be decoded")
        }
    }

    deinit { bj_plan_arena_free(&arena) }
}
