#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Encoding of the messages the host sends to bexy-zygote and to a warm program (format: bexy_zygote_wire.h).
enum ZygoteWire {
    /// BJ_WIRE_SPAWN for one sandbox with `joinFDCount` cgroup v1 join fds and maybe a cgroup v2 directory fd.
    static func spawnMessage(_ plan: SandboxPlan, joinFDCount: Int, hasCgroupDirectory: Bool) -> [UInt8] {
        var w = Writer()
        w.u32(BJ_WIRE_SPAWN)
        w.u32(UInt32(joinFDCount))
        w.u32(hasCgroupDirectory ? 1 : 0)
        w.u64(plan.cloneFlags)
        for text in [plan.rootDirectory, plan.rootOptions, plan.hostname, plan.workdir, plan.idMap, plan.idMap] {
            w.string(text)
        }
        w.u32(IdentitySlot.jobId)
        w.u32(IdentitySlot.jobId)
        w.u32(UInt32(bitPattern: plan.capLastCap))
        w.u32(plan.seccompNotify ? 1 : 0)
        w.blob(plan.seccomp.program)
        w.u32(UInt32(plan.rlimits.count))
        for limit in plan.rlimits {
            w.u32(UInt32(bitPattern: limit.resource))
            w.u64(limit.soft)
            w.u64(limit.hard)
        }
        w.u32(UInt32(plan.mounts.count))
        let arena = CPlanArena()
        for step in plan.mounts { w.mount(step.cValue(in: arena)) }
        return w.bytes
    }

    /// The job memfd's contents: the script (a file of `files`), its arguments and the files to place in the
    /// working directory.
    static func job(script: String, arguments: [String], files: [JobFile]) -> [UInt8] {
        var w = Writer()
        w.u32(BJ_WIRE_JOB)
        w.u32(UInt32(arguments.count))
        w.u32(UInt32(files.count))
        w.string(script)
        for argument in arguments { w.string(argument) }
        for file in files {
            w.string(file.path)
            w.u32(file.executable ? 0o755 : 0o644)
            w.u64(UInt64(file.contents.count))
            w.bytes.append(contentsOf: file.contents)
        }
        return w.bytes
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        mutating func string(_ text: String) { blob(Array(text.utf8)) }

        mutating func blob(_ data: [UInt8]?) {
            guard let data else { return u32(BJ_WIRE_NULL) }
            u32(UInt32(data.count))
            bytes.append(contentsOf: data)
        }

        /// One mount step, from the same `bj_mount` the cold path executes.
        mutating func mount(_ m: bj_mount) {
            func text(_ pointer: UnsafePointer<CChar>?) -> [UInt8]? {
                pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
            }
            u32(UInt32(bitPattern: m.kind))
            u32(UInt32(bitPattern: m.source_is_dir))
            blob(text(m.source))
            blob(text(m.target))
            if m.kind == Int32(BJ_MOUNT_FILE.rawValue), let data = m.data {
                blob(Array(UnsafeRawBufferPointer(start: data, count: m.data_len)))
            } else {
                blob(text(m.data))
            }
            u64(UInt64(m.flags))
            u32(m.mode)
            u32(UInt32(bitPattern: m.chown_job))
        }
    }
}
