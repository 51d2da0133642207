#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// One step of the job's root filesystem plan. The job's init executes the steps in order (in C, see
/// `bexy_spawn.h`); paths are relative to the new root.
public enum MountStep: Equatable, Sendable {
    case directory(String, mode: UInt32, ownedByJob: Bool)
    /// A read-only, nosuid, nodev bind; `lockedFlags` are the MS_* flags of the source mount that a user
    /// namespace may not clear (noexec, atime flags).
    case bindReadOnly(source: String, target: String, isDirectory: Bool, lockedFlags: UInt)
    case bindDevice(source: String, target: String)
    case tmpfs(String, options: String, mode: UInt32, ownedByJob: Bool, noexec: Bool)
    case proc(String)
    case symlink(target: String, path: String)
    case file(String, contents: [UInt8], mode: UInt32, ownedByJob: Bool)
    case remountReadOnly(String, noexec: Bool)
    /// The job's workspace (`WorkspaceMount`), moved onto a new directory at this path; read-write.
    case workspace(String)
}

/// A file placed in the job's working directory before the program starts.
public struct JobFile: Sendable, Equatable {
    /// Where the file goes, beneath the working directory.
    public var path: RelativePath
    public var contents: [UInt8]
    public var executable: Bool

    public init(path: RelativePath, contents: [UInt8], executable: Bool = false) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }
}

/// The minimal read-only root every job gets: read-only binds of /usr and the /bin, /lib, /lib64 links,
/// a synthesized /etc, a fresh /proc, a /dev with only null, zero, full, random and urandom, and size-capped
/// tmpfs for /tmp, /dev/shm and the working directory, and the job's workspace if it has one. Nothing else of the
/// host is visible.
public enum RootFilesystem {
    /// The job's working directory and HOME.
    public static let workdir = "/sandbox"

    /// Host top-level entries bound (or re-created as links) into every job's root.
    static let hostSystemPaths = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"]
    static let devices = ["null", "zero", "full", "random", "urandom"]

    /// Build the plan for one job; `workspace` is the mount point of its workspace, if it has one.
    public static func plan(limits: ResourceLimits, files: [JobFile], hostname: String,
                            workspace: RelativePath? = nil, host: HostLayout = .current()) -> [MountStep] {
        var steps: [MountStep] = []
        for entry in host.systemEntries {
            switch entry {
            case .link(let name, let target): steps.append(.symlink(target: target, path: name))
            case .directory(let name, let flags):
                steps.append(.bindReadOnly(source: "/\(name)", target: name, isDirectory: true, lockedFlags: flags))
            }
        }
        steps.append(.directory("etc", mode: 0o755, ownedByJob: false))
        steps.append(.file("etc/passwd", contents: Array(passwd.utf8), mode: 0o644, ownedByJob: false))
        steps.append(.file("etc/group", contents: Array(group.utf8), mode: 0o644, ownedByJob: false))
        steps.append(.file("etc/hostname", contents: Array("\(hostname)\n".utf8), mode: 0o644, ownedByJob: false))
        if let flags = host.ldCacheFlags {
            steps.append(.bindReadOnly(source: "/etc/ld.so.cache", target: "etc/ld.so.cache", isDirectory: false,
                                       lockedFlags: flags))
        }
        steps.append(.tmpfs("dev", options: "size=64k,nr_inodes=64,mode=0755", mode: 0o755, ownedByJob: false,
                            noexec: true))
        for device in devices { steps.append(.bindDevice(source: "/dev/\(device)", target: "dev/\(device)")) }
        steps.append(.symlink(target: "/proc/self/fd", path: "dev/fd"))
        for (n, name) in ["stdin", "stdout", "stderr"].enumerated() {
            steps.append(.symlink(target: "/proc/self/fd/\(n)", path: "dev/\(name)"))
        }
        steps.append(.tmpfs("dev/shm", options: "size=\(limits.tmpBytes),mode=1777", mode: 0o1777, ownedByJob: false,
                            noexec: true))
        steps.append(.remountReadOnly("dev", noexec: true))
        steps.append(.proc("proc"))
        steps.append(.tmpfs("tmp", options: "size=\(limits.tmpBytes),mode=1777", mode: 0o1777, ownedByJob: false,
                            noexec: false))
        let work = String(workdir.dropFirst())
        steps.append(.tmpfs(work, options: "size=\(limits.workdirBytes),mode=0755", mode: 0o755, ownedByJob: true,
                            noexec: false))
        var created: Set<String> = []
        for file in files {
            let components = file.path.components
            var prefix = work
            for directory in components.dropLast() {
                prefix += "/" + directory
                if created.insert(prefix).inserted {
                    steps.append(.directory(prefix, mode: 0o755, ownedByJob: true))
                }
            }
            steps.append(.file(work + "/" + components.joined(separator: "/"), contents: file.contents,
                               mode: file.executable ? 0o755 : 0o644, ownedByJob: true))
        }
        if let workspace { steps.append(.workspace(workspace.string)) }
        steps.append(.remountReadOnly("", noexec: false))
        return steps
    }

    static let passwd = """
        root:x:0:0:root:/nonexistent:/usr/sbin/nologin
        sandbox:x:\(IdentitySlot.jobId):\(IdentitySlot.jobId):sandbox:\(workdir):/usr/sbin/nologin
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

        """
    static let group = """
        root:x:0:
        sandbox:x:\(IdentitySlot.jobId):
        nogroup:x:65534:

        """
}

/// What the host's root looks like: which system entries are links (Debian's merged /usr) and which are
/// directories, with the mount flags a bind of them must keep.
public struct HostLayout: Sendable {
    public enum Entry: Sendable, Equatable {
        case link(String, target: String)
        case directory(String, lockedFlags: UInt)
    }
    public var systemEntries: [Entry]
    /// Locked flags of /etc/ld.so.cache's mount, or nil if the host has none.
    public var ldCacheFlags: UInt?

    /// Read the running host.
    public static func current() -> HostLayout {
        var entries: [Entry] = []
        for name in RootFilesystem.hostSystemPaths {
            var st = stat()
            guard lstat("/\(name)", &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                var buffer = [CChar](repeating: 0, count: 4096)
                let n = readlink("/\(name)", &buffer, buffer.count - 1)
                guard n > 0 else { continue }
                entries.append(.link(name, target: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) },
                                                          as: UTF8.self)))
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                entries.append(.directory(name, lockedFlags: lockedFlags("/\(name)")))
            }
        }
        let cache = access("/etc/ld.so.cache", R_OK) == 0 ? lockedFlags("/etc/ld.so.cache") : nil
        return HostLayout(systemEntries: entries, ldCacheFlags: cache)
    }

    /// The MS_* flags of the mount holding `path` that a bind remount in a user namespace must repeat.
    static func lockedFlags(_ path: String) -> UInt { UInt(bj_locked_mount_flags(path)) }
}
