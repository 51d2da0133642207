#if canImport(Glibc)
import Glibc
#endif

/// The job's root is mounted at `<BEXY_RUNTIME_DIR>/root` from inside the job's user namespace, as a uid the host
/// sees as nobody's: every directory on that path must let others search it (`o+x`), or every job fails at its
/// first mount with a bare "Permission denied". Checked once when the sandbox host is set up, so the refusal names
/// the directory and the fix.
enum RuntimeDirectoryAccess {
    /// Throws `invalidConfiguration` naming the first directory on `path` (from `/` down) that others cannot search.
    static func check(_ path: String) throws(JailError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { throw .system("stat \(prefix)") }
            guard info.st_mode & S_IXOTH != 0 else {
                let mode = String(info.st_mode & 0o7777, radix: 8)
                throw JailError(.invalidConfiguration, stage: "runtime directory",
                                message: "jobs cannot reach their root mount point \(path) (in BEXY_RUNTIME_DIR): "
                                    + "\(prefix) is mode \(mode), so a job's uid may not search it",
                                hint: "chmod o+x \(prefix), or set BEXY_RUNTIME_DIR below directories every user "
                                    + "may search (the default /run/bexy)")
            }
        }
    }
}
