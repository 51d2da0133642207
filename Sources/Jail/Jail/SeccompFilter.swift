import CJailShim
import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// A compiled seccomp BPF program, ready for the child to install with seccomp(SECCOMP_SET_MODE_FILTER).
///
/// The filter is built with libseccomp from a `SeccompPolicy`:
///
/// - Native architecture only. Any other audit architecture (i386 on x86_64, for example) hits
///   `SCMP_FLTATR_ACT_BADARCH` = kill process. On x86_64 the x32 ABI shares the x86_64 audit architecture, so it
///   cannot be told apart by `$arch`; libseccomp 2.5.4 handles it when x32 is not in the filter: the exported
///   BPF starts with `if nr >= 0x40000000 && nr != 0xffffffff -> bad-arch action`. Verified by disassembling the
///   exported program and by running `syscall(0x40000000 | __NR_getpid)` under it (killed with SIGSYS), so no extra
///   rule is added here; `SeccompFilterTests` checks the instruction is present.
/// - Default action: `ERRNO(policy.defaultErrno)`.
/// - `allow` -> ALLOW, `kill` -> KILL_PROCESS (or USER_NOTIF with `notifyOnKill`), `errno` -> ERRNO(value).
/// - Argument filters that always apply when the call is in `allow`:
///   * `socket`, `socketpair`: allowed only for domain (arg0) == AF_UNIX, any other domain fails with
///     EAFNOSUPPORT. AF_UNIX is harmless: the job runs in its own empty network namespace.
///   * `clone`: allowed only when flags (arg0) contain none of the namespace flags (CLONE_NEWUSER, NEWNS, NEWPID,
///     NEWNET, NEWIPC, NEWUTS, NEWCGROUP, NEWTIME); any of them takes the kill action. `clone3` passes a struct
///     pointer that seccomp cannot read, so policies map it to ENOSYS and glibc falls back to `clone`.
///   * `ioctl`: request (arg1) TIOCSTI or TIOCLINUX takes the kill action, compared on the low 32 bits only (the
///     kernel truncates the request to `unsigned int`, so high bits must not dodge the check); other requests
///     are allowed.
public struct SeccompFilter: Sendable {
    /// The raw `struct sock_filter` array as exported by seccomp_export_bpf (8 bytes per instruction).
    public let program: [UInt8]

    /// The number of BPF instructions in `program`.
    public var instructionCount: Int { program.count / 8 }

    /// Compile `policy`. `notifyOnKill`: the calls in `policy.kill` return SECCOMP_RET_USER_NOTIF (the
    /// supervisor then kills the whole job and reports the call's name) instead of SECCOMP_RET_KILL_PROCESS.
    public init(policy: SeccompPolicy, notifyOnKill: Bool) throws(JailError) {
        let ctx = try Self.makeContext(policy: policy, notifyOnKill: notifyOnKill)
        defer { seccomp_release(ctx) }
        let bytes = try Self.export(stage: "seccomp export bpf") { fd in seccomp_export_bpf(ctx, fd) }
        guard !bytes.isEmpty, bytes.count % 8 == 0 else {
            throw JailError(.setupFailed, stage: "seccomp export bpf",
                            message: "libseccomp exported a malformed BPF program (\(bytes.count) bytes)")
        }
        program = bytes
    }

    /// libseccomp's pseudo-filter-code text of the same filter (seccomp_export_pfc), for tests and debugging.
    public static func pseudoCode(policy: SeccompPolicy, notifyOnKill: Bool) throws(JailError) -> String {
        let ctx = try makeContext(policy: policy, notifyOnKill: notifyOnKill)
        defer { seccomp_release(ctx) }
        let bytes = try export(stage: "seccomp export pfc") { fd in seccomp_export_pfc(ctx, fd) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The native-architecture name of syscall number `nr` (seccomp_syscall_resolve_num_arch), or "syscall_<nr>".
    public static func syscallName(_ nr: Int32) -> String {
        guard let name = seccomp_syscall_resolve_num_arch(UInt32(SCMP_ARCH_NATIVE), nr) else {
            return "syscall_\(nr)"
        }
        defer { free(name) }
        return String(cString: name)
    }

    // MARK: - Constants

    /// Kernel ABI values (identical on every Linux architecture), spelled out so they do not depend on which
    /// glibc macros Swift imports.
    enum Linux {
        static let afUnix: UInt64 = 1
        static let cloneNewTime: UInt64 = 0x0000_0080  // only settable through clone3; bit 7 is never a valid exit signal
        static let cloneNewNS: UInt64 = 0x0002_0000
        static let cloneNewCgroup: UInt64 = 0x0200_0000
        static let cloneNewUTS: UInt64 = 0x0400_0000
        static let cloneNewIPC: UInt64 = 0x0800_0000
        static let cloneNewUser: UInt64 = 0x1000_0000
        static let cloneNewPID: UInt64 = 0x2000_0000
        static let cloneNewNet: UInt64 = 0x4000_0000
        static let namespaceFlags: [UInt64] = [
            cloneNewUser, cloneNewNS, cloneNewPID, cloneNewNet, cloneNewIPC, cloneNewUTS, cloneNewCgroup, cloneNewTime,
        ]
        static let tiocsti: UInt64 = 0x5412
        static let tioclinux: UInt64 = 0x541C
    }

    /// The errno names a policy may use, with their Linux values.
    static let errnoValues: [String: Int32] = [
        "EPERM": 1, "EACCES": 13, "EFAULT": 14, "EINVAL": 22, "ENOSYS": 38,
        "ENOTSUP": 95, "EOPNOTSUPP": 95, "EAFNOSUPPORT": 97,
    ]

    static let actAllow: UInt32 = 0x7FFF_0000  // SCMP_ACT_ALLOW
    static let actKillProcess: UInt32 = 0x8000_0000  // SCMP_ACT_KILL_PROCESS
    static let actNotify: UInt32 = 0x7FC0_0000  // SCMP_ACT_NOTIFY

    /// SCMP_ACT_ERRNO(x), a C function-like macro Swift does not import.
    static func actErrno(_ value: Int32) -> UInt32 { 0x0005_0000 | (UInt32(bitPattern: value) & 0xFFFF) }

    // MARK: - Building the filter

    /// Validate `policy` and build the libseccomp context. The caller owns the result and must release it.
    static func makeContext(policy: SeccompPolicy, notifyOnKill: Bool) throws(JailError) -> scmp_filter_ctx {
        let allow = Set(policy.allow)
        let kill = Set(policy.kill)
        var errnoActions: [String: Int32] = [:]
        for (name, errnoName) in policy.errno.sorted(by: { $0.key < $1.key }) {
            errnoActions[name] = try errnoValue(errnoName, for: "errno entry \"\(name)\"")
        }
        let defaultErrno = try errnoValue(policy.defaultErrno, for: "default_errno")

        for name in allow.sorted() where kill.contains(name) {
            throw invalid("syscall \"\(name)\" is listed in both allow and kill")
        }
        for name in allow.sorted() where errnoActions[name] != nil {
            throw invalid("syscall \"\(name)\" is listed in both allow and errno")
        }
        for name in kill.sorted() where errnoActions[name] != nil {
            throw invalid("syscall \"\(name)\" is listed in both kill and errno")
        }

        let killAction = notifyOnKill ? actNotify : actKillProcess
        let defaultAction = actErrno(defaultErrno)
        guard let ctx = seccomp_init(defaultAction) else {
            throw JailError(.setupFailed, stage: "seccomp init", errno: ENOMEM,
                            message: "seccomp_init failed (out of memory or unsupported action)")
        }
        /// libseccomp refuses (EACCES) a rule whose action is the default action; such a rule changes nothing
        /// (every rule added here either has no arguments or is disjoint from the other rules of its call),
        /// so it is left out.
        func addRule(_ action: UInt32, _ nr: Int32, _ name: String, _ args: [scmp_arg_cmp]) throws(JailError) {
            guard action != defaultAction else { return }
            try Self.addRule(ctx, action, nr, name, args)
        }
        do {
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, actKillProcess), "seccomp attr badarch")
            // Binary-tree dispatch on the syscall number: a few hundred rules stay cheap on every call.
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), "seccomp attr optimize")

            for name in allow.sorted() {
                guard let nr = try resolve(name) else { continue }
                switch name {
                case "socket", "socketpair":
                    try addRule(actAllow, nr, name, [cmp(0, SCMP_CMP_EQ, Linux.afUnix)])
                    try addRule(actErrno(EAFNOSUPPORT), nr, name, [cmp(0, SCMP_CMP_NE, Linux.afUnix)])
                case "clone":
                    let mask = Linux.namespaceFlags.reduce(0, |)
                    try addRule(actAllow, nr, name, [cmp(0, SCMP_CMP_MASKED_EQ, mask, 0)])
                    for flag in Linux.namespaceFlags {
                        try addRule(killAction, nr, name, [cmp(0, SCMP_CMP_MASKED_EQ, flag, flag)])
                    }
                case "ioctl":
                    for request in [Linux.tiocsti, Linux.tioclinux] {
                        try addRule(killAction, nr, name, [cmp(1, SCMP_CMP_MASKED_EQ, 0xFFFF_FFFF, request)])
                    }
                    // An argument-free ALLOW would make libseccomp drop the two rules above (a catch-all rule
                    // wins over conditional ones), so "every other request" is the always-true `arg1 >= 0`;
                    // libseccomp then tests the kill comparisons first.
                    try addRule(actAllow, nr, name, [cmp(1, SCMP_CMP_GE, 0)])
                default:
                    try addRule(actAllow, nr, name, [])
                }
            }
            for name in kill.sorted() {
                guard let nr = try resolve(name) else { continue }
                try addRule(killAction, nr, name, [])
            }
            for (name, value) in errnoActions.sorted(by: { $0.key < $1.key }) {
                guard let nr = try resolve(name) else { continue }
                try addRule(actErrno(value), nr, name, [])
            }
        } catch {
            seccomp_release(ctx)
            throw error
        }
        return ctx
    }

    /// The native syscall number of `name`; nil for a pseudo-number (the call exists on other architectures only).
    static func resolve(_ name: String) throws(JailError) -> Int32? {
        let nr = seccomp_syscall_resolve_name(name)
        if nr == __NR_SCMP_ERROR {
            throw invalid("unknown syscall \"\(name)\" (libseccomp cannot resolve it)")
        }
        return nr < 0 ? nil : nr
    }

    static func errnoValue(_ name: String, for what: String) throws(JailError) -> Int32 {
        guard let value = errnoValues[name] else {
            let known = errnoValues.keys.sorted().joined(separator: ", ")
            throw invalid("unknown errno name \"\(name)\" in \(what) (known: \(known))")
        }
        return value
    }

    static func cmp(_ arg: UInt32, _ op: scmp_compare, _ a: UInt64, _ b: UInt64 = 0) -> scmp_arg_cmp {
        scmp_arg_cmp(arg: arg, op: op, datum_a: a, datum_b: b)
    }

    static func addRule(_ ctx: scmp_filter_ctx, _ action: UInt32, _ nr: Int32, _ name: String,
                        _ args: [scmp_arg_cmp]) throws(JailError) {
        let rc = args.withUnsafeBufferPointer { buffer in
            seccomp_rule_add_array(ctx, action, nr, UInt32(buffer.count), buffer.baseAddress)
        }
        try check(rc, "seccomp rule \(name)")
    }

    static func check(_ rc: Int32, _ stage: String) throws(JailError) {
        guard rc < 0 else { return }
        throw JailError(.setupFailed, stage: stage, errno: -rc,
                        message: "\(stage): \(String(cString: strerror(-rc)))")
    }

    static func invalid(_ message: String) -> JailError {
        JailError(.invalidConfiguration, stage: "seccomp policy", message: "seccomp policy: \(message)",
                  hint: "fix the profile's seccomp section")
    }

    /// Run a libseccomp exporter into a memfd and read the bytes back (libseccomp 2.5 has no in-memory export).
    static func export(stage: String, _ body: (Int32) -> Int32) throws(JailError) -> [UInt8] {
        let fd = bj_memfd("bexy-seccomp")
        guard fd >= 0 else { throw JailError.system("\(stage) memfd_create", errno: -fd) }
        defer { close(fd) }
        try check(body(fd), stage)
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw JailError.system("\(stage) lseek") }
        return try Syscall.readAll(fd, stage: "\(stage) read")
    }
}
