#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Everything the C child path (`bexy_spawn.h`) needs to isolate one sandbox, as Swift values.
///
/// It reaches C in one way only, `encoded()` (see `PlanEncoding.swift`): the cold path decodes those bytes
/// into a `bj_plan` in this process, the warm path sends them to bexy-zygote, which decodes them with the same
/// C function. Both then run the same C code.
package struct SandboxPlan {
    var cloneFlags: UInt64
    /// Host directory the new root's tmpfs is mounted on (inside the job's mount namespace).
    var rootDirectory: String
    var rootOptions: String
    var mounts: [MountStep]
    var hostname: String
    var workdir: String
    /// uid_map and gid_map text of the slot.
    var uidMap: String
    var gidMap: String
    var rlimits: [bj_rlimit]
    var capLastCap: Int32
    var seccomp: SeccompFilter
    var seccompNotify: Bool

    /// The plan for `job` in `slot`; `files` are the files the mount plan writes (the cold path places the
    /// job's files this way; the warm path hands them over later and passes none).
    package init(job: JobSpec, files: [JobFile], uidMap: String, gidMap: String, rootDirectory: String,
                 capLastCap: Int32, seccompNotify: Bool) {
        cloneFlags = bj_job_clone_flags()
        self.rootDirectory = rootDirectory
        rootOptions = "size=1m,nr_inodes=1024,mode=0755"
        mounts = RootFilesystem.plan(limits: job.limits, files: files, hostname: job.hostname,
                                     workspace: job.workspace?.mountPoint)
        hostname = job.hostname
        workdir = job.workspace?.jobWorkingDirectory ?? RootFilesystem.workdir
        self.uidMap = uidMap
        self.gidMap = gidMap
        rlimits = Self.rlimits(job.limits)
        self.capLastCap = capLastCap
        seccomp = job.seccomp
        self.seccompNotify = seccompNotify
    }

    /// The rlimits every job gets: cpu, file size, open files, no core dumps, no locked memory, stack, nproc.
    static func rlimits(_ limits: ResourceLimits) -> [bj_rlimit] {
        let cpuSeconds = UInt64((limits.cpuTimeMs + 999) / 1000)
        func limit(_ resource: Int32, _ soft: UInt64, _ hard: UInt64? = nil) -> bj_rlimit {
            bj_rlimit(resource: resource, soft: soft, hard: hard ?? soft)
        }
        func limit(_ resource: __rlimit_resource, _ soft: UInt64, _ hard: UInt64? = nil) -> bj_rlimit {
            limit(Int32(resource.rawValue), soft, hard)
        }
        return [
            limit(RLIMIT_CPU, cpuSeconds, cpuSeconds + 1),
            limit(RLIMIT_FSIZE, UInt64(limits.fileSizeBytes)),
            limit(RLIMIT_NOFILE, UInt64(limits.openFiles)),
            limit(RLIMIT_CORE, 0),
            limit(bj_rlimit_memlock(), 0),
            limit(RLIMIT_STACK, UInt64(limits.stackBytes)),
            limit(bj_rlimit_nproc(), UInt64(limits.pids)),  // counted per job uid, which is unique
        ]
    }

    /// A short description of mount step `index` for error messages.
    package func mountSummary(_ index: Int32) -> String? {
        index >= 0 && Int(index) < mounts.count ? mounts[Int(index)].summary : nil
    }
}

extension MountStep {
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
        case .workspace(let path): return "bind the workspace at /\(path)"
        }
    }
}
