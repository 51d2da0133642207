#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// What this host's kernel offers the sandbox, probed at run time (never assumed from a version number).
public struct HostFeatures: Sendable {
    /// One line of `bexy doctor`.
    public struct Check: Sendable {
        public var feature: String
        public var ok: Bool
        /// What was found ("15000", "kill_process user_notif ...").
        public var detail: String
        /// How to fix it when missing.
        public var fix: String
        /// Whether a job cannot run without it.
        public var required: Bool
    }

    public var checks: [Check]
    public var seccompUserNotification: Bool
    public var capLastCap: Int32

    /// Probe the running kernel.
    public static func probe() -> HostFeatures {
        var checks: [Check] = []
        let maxUserNS = Syscall.readText("/proc/sys/user/max_user_namespaces").flatMap {
            Int($0.trimmingWhitespace())
        } ?? 0
        let unprivilegedClone = Syscall.readText("/proc/sys/kernel/unprivileged_userns_clone")?.trimmingWhitespace()
        checks.append(Check(feature: "user namespaces", ok: maxUserNS > 0,
                            detail: "max_user_namespaces=\(maxUserNS)" + (unprivilegedClone.map { " unprivileged_userns_clone=\($0)" } ?? ""),
                            fix: "sysctl -w user.max_user_namespaces=15000", required: true))
        for (ns, file) in [("pid", "pid"), ("mount", "mnt"), ("network", "net"), ("ipc", "ipc"), ("uts", "uts"),
                           ("cgroup", "cgroup")] {
            let ok = access("/proc/self/ns/\(file)", F_OK) == 0
            checks.append(Check(feature: "\(ns) namespace", ok: ok, detail: ok ? "/proc/self/ns/\(file)" : "absent",
                                fix: "a kernel built with CONFIG_\(file.uppercased())_NS", required: true))
        }
        let actions = Syscall.readText("/proc/sys/kernel/seccomp/actions_avail")?.trimmingWhitespace() ?? ""
        let words = Set(actions.split(separator: " ").map(String.init))
        checks.append(Check(feature: "seccomp filter (kill_process)", ok: words.contains("kill_process"),
                            detail: actions.isEmpty ? "absent" : actions,
                            fix: "a kernel built with CONFIG_SECCOMP_FILTER (4.14 or later)", required: true))
        let notify = words.contains("user_notif")
        checks.append(Check(feature: "seccomp user notification", ok: notify,
                            detail: notify ? "blocked calls are named" : "blocked calls are killed unnamed",
                            fix: "Linux 5.0 or later", required: false))
        let clone3 = bj_has_clone3() != 0
        checks.append(Check(feature: "clone3 + pidfd", ok: clone3, detail: clone3 ? "available" : "ENOSYS",
                            fix: "Linux 5.7 or later", required: true))
        let capLast = Syscall.readText("/proc/sys/kernel/cap_last_cap").flatMap { Int32($0.trimmingWhitespace()) } ?? 40
        let root = geteuid() == 0
        checks.append(Check(feature: "running as root", ok: root, detail: "euid=\(geteuid())",
                            fix: "run bexy as root (it maps each job to an unused high uid)", required: true))
        return HostFeatures(checks: checks, seccompUserNotification: notify, capLastCap: capLast)
    }

    /// The first required feature that is missing, as the error that refuses to run.
    public func firstMissingRequirement() -> JailError? {
        guard let missing = checks.first(where: { $0.required && !$0.ok }) else { return nil }
        return JailError(.missingFeature, stage: missing.feature,
                         message: "\(missing.feature) is not available on this host (\(missing.detail))",
                         hint: missing.fix)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
