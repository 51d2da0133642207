import Foundation
import TestSupport
import Testing

@testable import Jail

/// Compiles the repository's `profiles/seccomp/python.json` and checks the filter libseccomp produces.
@Suite struct SeccompFilterTests {
    static let profileURL = URL(fileURLWithPath: TestHost.repositoryRoot + "/profiles/seccomp/python.json")

    static func pythonPolicy() throws -> SeccompPolicy {
        try JSONDecoder().decode(SeccompPolicy.self, from: Data(contentsOf: profileURL))
    }

    /// The body of the pfc block of syscall `name`: the `# filter for syscall "name"` comment and every following
    /// line up to the next line indented no deeper than the `if ($syscall == nr)` line.
    static func block(_ name: String, in pfc: String) -> [String]? {
        let lines = pfc.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.contains("# filter for syscall \"\(name)\" (") }),
              start + 1 < lines.count
        else { return nil }
        func indent(_ line: String) -> Int { line.prefix(while: { $0 == " " }).count }
        let level = indent(lines[start])
        var body = [lines[start + 1]]
        for line in lines[(start + 2)...] {
            if indent(line) <= level { break }
            body.append(line)
        }
        return body.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static let notifyAction = ["action 0x7fc00000;", "action NOTIFY;"]

    @Test func profileCompilesToWholeInstructions() throws {
        let policy = try Self.pythonPolicy()
        #expect(policy.defaultErrno == "EPERM")
        #expect(policy.errno == ["clone3": "ENOSYS"])
        for notify in [false, true] {
            let filter = try SeccompFilter(policy: policy, notifyOnKill: notify)
            #expect(filter.instructionCount > 0)
            #expect(filter.program.count % 8 == 0)
            #expect(filter.instructionCount == filter.program.count / 8)
            // BPF_MAXINSNS: the kernel refuses longer classic BPF programs.
            #expect(filter.instructionCount <= 4096)
        }
    }

    @Test func everyProfileNameIsANativeSyscall() throws {
        let policy = try Self.pythonPolicy()
        for name in policy.allow + policy.kill + Array(policy.errno.keys) {
            #expect(try SeccompFilter.resolve(name) != nil, "\(name) is not a native syscall")
        }
    }

    @Test func killCallsTakeTheKillActionInBothModes() throws {
        let policy = try Self.pythonPolicy()
        #expect(policy.kill.contains("mount") && policy.kill.contains("ptrace") && policy.kill.contains("bpf"))
        let killing = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: false)
        let notifying = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: true)
        for name in policy.kill {
            let kill = try #require(Self.block(name, in: killing), "\(name) missing from the pfc")
            #expect(kill.last == "action KILL_PROCESS;", "\(name): \(kill)")
            let notify = try #require(Self.block(name, in: notifying), "\(name) missing from the pfc")
            #expect(Self.notifyAction.contains(notify.last ?? ""), "\(name): \(notify)")
        }
        // Notify mode keeps KILL_PROCESS only as the bad-architecture action.
        #expect(!notifying.contains("action KILL_PROCESS;\n  #"))
        #expect(notifying.components(separatedBy: "action KILL_PROCESS;").count == 2)
    }

    @Test func defaultBadArchAndErrnoActions() throws {
        let pfc = try SeccompFilter.pseudoCode(policy: Self.pythonPolicy(), notifyOnKill: false)
        #expect(pfc.contains("# default action\n  action ERRNO(1);"))
        #expect(pfc.contains("# invalid architecture action\naction KILL_PROCESS;"))
        #expect(Self.block("clone3", in: pfc)?.last == "action ERRNO(38);")
        #expect(Self.block("read", in: pfc)?.last == "action ALLOW;")
        // Only the native architecture has a filter section.
        #expect(pfc.components(separatedBy: "# filter for arch ").count == 2)

        let other = SeccompPolicy(allow: ["read"], kill: [], errno: ["write": "EACCES"], defaultErrno: "ENOSYS")
        let otherPfc = try SeccompFilter.pseudoCode(policy: other, notifyOnKill: false)
        #expect(otherPfc.contains("# default action\n  action ERRNO(38);"))
        #expect(Self.block("write", in: otherPfc)?.last == "action ERRNO(13);")
    }

    @Test func socketIsLimitedToUnixDomain() throws {
        let pfc = try SeccompFilter.pseudoCode(policy: Self.pythonPolicy(), notifyOnKill: false)
        for name in ["socket", "socketpair"] {
            let body = try #require(Self.block(name, in: pfc))
            // domain == AF_UNIX (1) on both halves of arg0 -> ALLOW, anything else -> EAFNOSUPPORT (97).
            #expect(body.contains("if ($a0.hi32 == 0)"), "\(body)")
            #expect(body.contains("if ($a0.lo32 == 1)"), "\(body)")
            #expect(body.filter { $0 == "action ALLOW;" }.count == 1, "\(body)")
            #expect(body.contains("action ERRNO(97);"), "\(body)")
            #expect(!body.contains { $0.contains("KILL") }, "\(body)")
        }
    }

    @Test func cloneRefusesNamespaceFlags() throws {
        let policy = try Self.pythonPolicy()
        for (notify, kill) in [(false, ["action KILL_PROCESS;"]), (true, Self.notifyAction)] {
            let pfc = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: notify)
            let body = try #require(Self.block("clone", in: pfc))
            // NEWUSER|NEWNS|NEWPID|NEWNET|NEWIPC|NEWUTS|NEWCGROUP|NEWTIME == 0x7e020080.
            let allow = try #require(body.firstIndex(of: "if ($a0.lo32 & 0x7e020080 == 0)"), "\(body)")
            #expect(body[allow + 1] == "action ALLOW;")
            let flags: [UInt32] = [0x1000_0000, 0x0002_0000, 0x2000_0000, 0x4000_0000, 0x0800_0000, 0x0400_0000,
                                   0x0200_0000, 0x0000_0080]
            for flag in flags {
                let line = "if ($a0.lo32 & 0x\(String(format: "%08x", flag)) == \(flag))"
                let index = try #require(body.firstIndex(of: line), "no masked compare for \(line) in \(body)")
                #expect(kill.contains(body[index + 1]), "\(line) -> \(body[index + 1])")
            }
        }
    }

    @Test func ioctlKillsTerminalInjectionOnly() throws {
        let policy = try Self.pythonPolicy()
        for (notify, kill) in [(false, ["action KILL_PROCESS;"]), (true, Self.notifyAction)] {
            let pfc = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: notify)
            let body = try #require(Self.block("ioctl", in: pfc))
            // TIOCSTI (0x5412 = 21522) and TIOCLINUX (0x541c = 21532), on the low 32 bits of arg1 only.
            #expect(body.contains("if ($a1.hi32 & 0x00000000 == 0)"), "\(body)")
            for request in [21522, 21532] {
                let line = "if ($a1.lo32 & 0xffffffff == \(request))"
                let index = try #require(body.firstIndex(of: line), "\(body)")
                #expect(kill.contains(body[index + 1]))
            }
            // Every other request is allowed, and the kill compares come before the allow.
            let firstAllow = try #require(body.firstIndex(of: "action ALLOW;"), "\(body)")
            let lastKill = try #require(body.lastIndex { kill.contains($0) })
            #expect(lastKill < firstAllow)
        }
    }

    @Test func argumentFiltersOnlyApplyToAllowedCalls() throws {
        let policy = SeccompPolicy(allow: ["read"], kill: ["socket", "ioctl"], errno: ["clone": "EACCES"])
        let pfc = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: false)
        #expect(Self.block("socket", in: pfc) == ["if ($syscall == 41)", "action KILL_PROCESS;"])
        #expect(Self.block("ioctl", in: pfc) == ["if ($syscall == 16)", "action KILL_PROCESS;"])
        #expect(Self.block("clone", in: pfc) == ["if ($syscall == 56)", "action ERRNO(13);"])
    }

    #if arch(x86_64)
    @Test func x32SyscallNumbersAreKilled() throws {
        let filter = try SeccompFilter(policy: Self.pythonPolicy(), notifyOnKill: false)
        // struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (little-endian).
        let instructions = stride(from: 0, to: filter.program.count, by: 8).map { offset in
            let bytes = filter.program[offset..<(offset + 8)]
            let code = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            let k = bytes[(offset + 4)...].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
            return (code: code, k: k)
        }
        // libseccomp's x32 guard: `jge 0x40000000` (BPF_JMP|BPF_JGE|BPF_K = 0x35), then `jeq 0xffffffff` (0x15).
        let guardIndex = try #require(instructions.firstIndex { $0.code == 0x35 && $0.k == 0x4000_0000 })
        #expect(instructions[guardIndex + 1].code == 0x15 && instructions[guardIndex + 1].k == 0xFFFF_FFFF)
        // The last instruction is the bad-arch return: SECCOMP_RET_KILL_PROCESS (BPF_RET|BPF_K = 0x06).
        #expect(instructions.last?.code == 0x06 && instructions.last?.k == 0x8000_0000)
    }

    @Test func syscallNames() {
        #expect(SeccompFilter.syscallName(0) == "read")
        #expect(SeccompFilter.syscallName(59) == "execve")
        #expect(SeccompFilter.syscallName(165) == "mount")
    }
    #endif

    @Test func unknownSyscallNumberHasAPlaceholderName() {
        #expect(SeccompFilter.syscallName(99_999) == "syscall_99999")
    }

    @Test func syscallsOfOtherArchitecturesAreSkipped() throws {
        // socketcall exists on i386 and others; libseccomp resolves it to a negative pseudo-number on x86_64.
        #if arch(x86_64)
        let pfc = try SeccompFilter.pseudoCode(
            policy: SeccompPolicy(allow: ["read", "socketcall"], kill: []), notifyOnKill: false)
        #expect(!pfc.contains("socketcall"))
        #endif
    }

    static func rejection(_ policy: SeccompPolicy) -> JailError? {
        do {
            _ = try SeccompFilter(policy: policy, notifyOnKill: false)
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownSyscallIsRejected() throws {
        let error = try #require(Self.rejection(SeccompPolicy(allow: ["read", "not_a_syscall_xyz"], kill: [])))
        #expect(error.code == .invalidConfiguration)
        #expect(error.stage == "seccomp policy")
        #expect(error.message.contains("not_a_syscall_xyz"))

        let inKill = try #require(Self.rejection(SeccompPolicy(allow: [], kill: ["mount", "frobnicate"])))
        #expect(inKill.code == .invalidConfiguration && inKill.message.contains("frobnicate"))
        #expect(throws: JailError.self) {
            _ = try SeccompFilter.pseudoCode(policy: SeccompPolicy(allow: ["bogus_call"], kill: []), notifyOnKill: true)
        }
    }

    @Test func unknownErrnoIsRejected() throws {
        let inMap = try #require(Self.rejection(
            SeccompPolicy(allow: ["read"], kill: [], errno: ["clone3": "ENOPE"])))
        #expect(inMap.code == .invalidConfiguration)
        #expect(inMap.stage == "seccomp policy")
        #expect(inMap.message.contains("ENOPE"))

        let asDefault = try #require(Self.rejection(
            SeccompPolicy(allow: ["read"], kill: [], defaultErrno: "EWHATEVER")))
        #expect(asDefault.code == .invalidConfiguration && asDefault.message.contains("EWHATEVER"))
    }

    @Test func knownErrnoNames() throws {
        for (name, value) in ["EPERM": 1, "ENOSYS": 38, "EACCES": 13, "EAFNOSUPPORT": 97, "EINVAL": 22,
                              "ENOTSUP": 95, "EOPNOTSUPP": 95, "EFAULT": 14] {
            let policy = SeccompPolicy(allow: [], kill: [], errno: ["read": name],
                                       defaultErrno: name == "ENOSYS" ? "EPERM" : "ENOSYS")
            let pfc = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: false)
            #expect(Self.block("read", in: pfc)?.last == "action ERRNO(\(value));", "\(name)")
        }
    }

    @Test func errnoEntryEqualToTheDefaultIsRedundant() throws {
        // libseccomp refuses a rule whose action is the default one; the compiler leaves it out instead.
        let policy = SeccompPolicy(allow: ["read"], kill: [], errno: ["write": "EPERM"], defaultErrno: "EPERM")
        let pfc = try SeccompFilter.pseudoCode(policy: policy, notifyOnKill: false)
        #expect(Self.block("write", in: pfc) == nil)
        #expect(pfc.contains("# default action\n  action ERRNO(1);"))
        // Same for the socket filter's EAFNOSUPPORT branch when that is the default.
        let unixOnly = SeccompPolicy(allow: ["socket"], kill: [], defaultErrno: "EAFNOSUPPORT")
        let body = try #require(Self.block("socket", in: SeccompFilter.pseudoCode(policy: unixOnly, notifyOnKill: false)))
        #expect(body.contains("action ALLOW;") && !body.contains("action ERRNO(97);"))
    }

    @Test func conflictingListsAreRejected() throws {
        let allowKill = try #require(Self.rejection(SeccompPolicy(allow: ["read", "ptrace"], kill: ["ptrace"])))
        #expect(allowKill.code == .invalidConfiguration)
        #expect(allowKill.message.contains("ptrace"))

        let allowErrno = try #require(Self.rejection(
            SeccompPolicy(allow: ["read", "clone3"], kill: [], errno: ["clone3": "ENOSYS"])))
        #expect(allowErrno.code == .invalidConfiguration)
        #expect(allowErrno.message.contains("clone3"))

        let killErrno = try #require(Self.rejection(
            SeccompPolicy(allow: [], kill: ["bpf"], errno: ["bpf": "EPERM"])))
        #expect(killErrno.code == .invalidConfiguration && killErrno.message.contains("bpf"))
    }
}
