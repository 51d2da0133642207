import CJailShim
import Jail

/// Encoding of the messages the host sends to bexy-zygote and to a warm program (format: bexy_zygote_wire.h).
enum ZygoteWire {
    /// BJ_WIRE_SPAWN for one sandbox with `joinFDCount` cgroup v1 join fds and maybe a cgroup v2 directory fd:
    /// the header, then the plan in the plan encoding (`SandboxPlan.encoded()`, the same bytes the cold path
    /// decodes).
    static func spawnMessage(_ plan: SandboxPlan, joinFDCount: Int, hasCgroupDirectory: Bool) -> [UInt8] {
        var w = WireWriter()
        w.u32(BJ_WIRE_SPAWN)
        w.u32(UInt32(joinFDCount))
        w.u32(hasCgroupDirectory ? 1 : 0)
        return w.bytes + plan.encoded()
    }

    /// The job memfd's contents: the script (a file of `files`), its arguments and the files to place in the
    /// working directory.
    static func job(script: String, arguments: [String], files: [JobFile]) -> [UInt8] {
        var w = WireWriter()
        w.u32(BJ_WIRE_JOB)
        w.u32(UInt32(arguments.count))
        w.u32(UInt32(files.count))
        w.string(script)
        for argument in arguments { w.string(argument) }
        for file in files {
            w.string(file.path.string)
            w.u32(file.executable ? 0o755 : 0o644)
            w.longBlob(file.contents)
        }
        return w.bytes
    }
}
