/// A seccomp allowlist as data: what a job may call, what kills it, and what fails with an errno.
///
/// Profiles carry a policy (see `profiles/README.md`); `SeccompFilter` compiles it with libseccomp into the
/// BPF program the child installs just before `execve`.
public struct SeccompPolicy: Codable, Sendable, Hashable {
    /// Calls that run normally.
    public var allow: [String]
    /// Calls that stop the whole job and report `syscall_blocked` with the call's name.
    public var kill: [String]
    /// Calls that fail with the given errno name (e.g. `{"clone3": "ENOSYS"}`) so libraries fall back.
    public var errno: [String: String]
    /// The errno name returned by every call not listed anywhere (e.g. `"EPERM"`).
    public var defaultErrno: String

    public init(allow: [String], kill: [String], errno: [String: String] = [:], defaultErrno: String = "EPERM") {
        self.allow = allow
        self.kill = kill
        self.errno = errno
        self.defaultErrno = defaultErrno
    }

    enum CodingKeys: String, CodingKey {
        case allow, kill, errno
        case defaultErrno = "default_errno"
    }
}
