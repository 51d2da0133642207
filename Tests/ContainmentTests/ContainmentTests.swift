import Bexy
import Contracts
import Dispatch
import Foundation
import Jail
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real jobs in real sandboxes: each test states one property of the jail and tries to break it.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct ContainmentTests {
    // MARK: Running programs

    @Test(arguments: SandboxKind.allCases) func helloWorld(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("print('hello from the sandbox')", sandbox: sandbox)
        #expect(result.status == .ok)
        #expect(result.success)
        #expect(result.exitCode == 0)
        #expect(result.stdout == "hello from the sandbox\n")
        #expect(result.output == result.stdout)
        #expect(result.peakMemoryBytes ?? 0 > 0)
    }

    @Test(arguments: SandboxKind.allCases) func exitCodeIsForwarded(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("import sys; print('bye'); sys.exit(3)", sandbox: sandbox)
        #expect(result.status == .runtimeError)
        #expect(result.exitCode == 3)
        #expect(!result.success)
    }

    @Test(arguments: SandboxKind.allCases) func stdinAndArgumentsReachTheProgram(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("import sys; print(sys.stdin.read().upper(), sys.argv[1:])",
                                     stdin: .bytes(Array("abc".utf8)),
                                     arguments: ["x", "--y"], sandbox: sandbox)
        #expect(result.stdout == "ABC ['x', '--y']\n")
    }

    /// A pipe the caller feeds (`bexy exec`'s stdin) is the program's stdin on both paths, as a pipe of its own.
    @Test(arguments: SandboxKind.allCases) func aPipeTheCallerFeedsIsTheProgramsStdin(_ sandbox: SandboxKind) throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #expect(write(ends[1], "fed", 3) == 3)
        close(ends[1])
        defer { close(ends[0]) }
        let result = try Harness.run("import os, stat, sys; print(sys.stdin.read(), stat.S_ISFIFO(os.fstat(0).st_mode))",
                                     stdin: .pipe(readEnd: ends[0]), sandbox: sandbox)
        #expect(result.stdout == "fed True\n", "\(result)")
    }

    @Test(arguments: SandboxKind.allCases) func tracebackGivesTheExceptionClass(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("def f():\n    return 1/0\nf()", sandbox: sandbox)
        #expect(result.status == .runtimeError)
        #expect(result.errorType == "ZeroDivisionError")
        #expect(result.errorMessage == "division by zero")
        #expect(result.stderr.contains("Traceback"))
    }

    @Test(arguments: SandboxKind.allCases) func syntaxErrorIsReported(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("x = = 1", sandbox: sandbox)
        #expect(result.errorType == "SyntaxError")
    }

    @Test(arguments: SandboxKind.allCases) func jobFilesAreInTheWorkingDirectory(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("import os; print(open('data/in.txt').read(), os.getcwd())",
                                     files: [JobFile(path: "data/in.txt", contents: Array("payload".utf8))], sandbox: sandbox)
        #expect(result.stdout == "payload /sandbox\n")
    }

    // MARK: Limits

    @Test(arguments: SandboxKind.allCases) func timeoutKillsTheWholeJobIncludingADaemonizedGrandchild(_ sandbox: SandboxKind) throws {
        let code = """
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(60)
                os._exit(0)
            time.sleep(60)
            """
        let result = try Harness.run(code, overrides: LimitOverrides(timeoutMs: 1000), sandbox: sandbox)
        #expect(result.status == .timeout)
        #expect(result.limitHit == "wall")
        #expect(result.errorType == "TimeoutError")
        #expect(result.wallMs >= 1000 && result.wallMs < 5000)
        _ = try #require(try Harness.auditRecord(result.id))
        #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")  // its slot, once free, holds no process
    }

    @Test(arguments: SandboxKind.allCases) func cpuLimitStopsABusyLoop(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("while True: pass", overrides: LimitOverrides(timeoutMs: 8000, cpuTimeMs: 1000), sandbox: sandbox)
        #expect(result.status == .timeout)
        #expect(result.limitHit == "cpu")
    }

    @Test(arguments: SandboxKind.allCases) func memoryBombHitsTheMemoryLimit(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("x = []\nwhile True: x.append(bytearray(1 << 20))", sandbox: sandbox)
        #expect(result.status == .memoryLimit)
        #expect(result.errorType == "MemoryError")
        #expect((result.peakMemoryBytes ?? 0) <= 128 << 20)
    }

    @Test(arguments: SandboxKind.allCases) func tmpfsCountsAgainstTheMemoryLimit(_ sandbox: SandboxKind) throws {
        let code = "f = open('/dev/shm/fill', 'wb')\nwhile True: f.write(b'x' * (1 << 20)); f.flush()"
        let result = try Harness.run(code, overrides: LimitOverrides(memoryBytes: 8 << 20), sandbox: sandbox)
        #expect(result.status == .memoryLimit || result.errorType == "OSError")
        #expect(result.status != .ok)
    }

    @Test(arguments: SandboxKind.allCases) func forkBombIsContained(_ sandbox: SandboxKind) throws {
        let code = """
            import os, time
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(30); os._exit(0)
                    children += 1
            except OSError as e:
                print(children, e.errno)
            """
        let result = try Harness.run(code, sandbox: sandbox)
        #expect(result.status == .ok)
        let fields = result.stdout.split(separator: " ")
        #expect(Int(fields.first ?? "") ?? 99 < 16)
        #expect(fields.last == "11\n")  // EAGAIN
        _ = try #require(try Harness.auditRecord(result.id))
        #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")  // its slot, once free, holds no process
    }

    @Test(arguments: SandboxKind.allCases) func outputIsCappedAndTheJobStopped(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("import sys\nwhile True: sys.stdout.write('x' * 65536)", sandbox: sandbox)
        #expect(result.status == .outputLimit)
        #expect(result.stdoutTruncated)
        #expect(result.stdout.utf8.count == 1 << 20)
    }

    @Test(arguments: SandboxKind.allCases) func fileSizeLimitApplies(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("open('/tmp/big', 'wb').write(b'x' * (2 << 20))", sandbox: sandbox)
        #expect(result.status == .runtimeError)
        #expect(result.stderr.contains("File too large"))
    }

    // MARK: Isolation

    @Test(arguments: SandboxKind.allCases) func tcpConnectToAHostLoopbackServerFails(_ sandbox: SandboxKind) throws {
        let server = LoopbackSocket(listening: true)
        let port = server.port
        let code = """
            import socket
            try:
                s = socket.create_connection(('127.0.0.1', \(port)), timeout=2)
                print('connected')
            except OSError as e:
                print('refused', e.errno)
            print(open('/proc/net/dev').read().count(':') - 0)
            """
        let result = try Harness.run(code, sandbox: sandbox)
        #expect(result.stdout.hasPrefix("refused"))
        // nothing reached the host's listener
        _ = fcntl(server.fd, F_SETFL, O_NONBLOCK)
        #expect(accept(server.fd, nil, nil) == -1)
    }

    @Test(arguments: SandboxKind.allCases) func onlyTmpAndTheWorkingDirectoryAreWritable(_ sandbox: SandboxKind) throws {
        let code = """
            import os
            for path in ['/etc/x', '/usr/x', '/x', '/proc/x', '/dev/x', '/tmp/x', '/sandbox/x', '/dev/shm/x']:
                try:
                    open(path, 'w').write('1'); print(path, 'ok')
                except OSError as e:
                    print(path, 'denied')
            """
        let result = try Harness.run(code, sandbox: sandbox)
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        for denied in ["/etc/x", "/usr/x", "/x", "/proc/x", "/dev/x"] { #expect(lines.contains("\(denied) denied")) }
        for allowed in ["/tmp/x", "/sandbox/x", "/dev/shm/x"] { #expect(lines.contains("\(allowed) ok")) }
    }

    @Test(arguments: SandboxKind.allCases) func hostFilesAreInvisible(_ sandbox: SandboxKind) throws {
        let secret = "/root/bexy-secret-\(getpid())"
        let fd = open(secret, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        _ = write(fd, "top secret", 10)
        close(fd)
        defer { unlink(secret) }
        let code = """
            import os
            for p in ['\(secret)', '/root', '/work', '/home', '/var', '/sys', '/run', '/etc/shadow', '/etc/hosts', '\(TestHost.repositoryRoot)']:
                print(p, os.path.exists(p))
            print(sorted(os.listdir('/')))
            print(sorted(os.listdir('/etc')))
            print(sorted(os.listdir('/dev')))
            """
        let result = try Harness.run(code, sandbox: sandbox)
        #expect(result.status == .ok)
        #expect(!result.stdout.contains("True"))
        #expect(result.stdout.contains("['bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sandbox', 'sbin', 'tmp', 'usr']"))
        #expect(result.stdout.contains("['group', 'hostname', 'ld.so.cache', 'passwd']"))
        #expect(result.stdout.contains("['fd', 'full', 'null', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'urandom', 'zero']"))
    }

    @Test(arguments: SandboxKind.allCases) func callerEnvironmentDoesNotLeak(_ sandbox: SandboxKind) throws {
        setenv("BEXY_TEST_SECRET", "leaked-value", 1)
        defer { unsetenv("BEXY_TEST_SECRET") }
        let result = try Harness.run("import os; print(sorted(os.environ))", sandbox: sandbox)
        #expect(!result.stdout.contains("BEXY_TEST_SECRET"))
        #expect(result.stdout.contains("'PATH'"))
        let names = result.stdout.filter { $0 != "[" && $0 != "]" && $0 != "'" && $0 != "\n" }
            .split(separator: ",").map { $0.trimmingCharacters() }
        let allowed = ["PATH", "HOME", "LANG", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                       "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "LC_CTYPE"]
        for name in names { #expect(name.hasPrefix("PYTHON") || allowed.contains(name), "unexpected \(name)") }
    }

    @Test(arguments: SandboxKind.allCases) func callerFileDescriptorsAreNotInherited(_ sandbox: SandboxKind) throws {
        let fd = open("/etc/hostname", O_RDONLY)  // deliberately without O_CLOEXEC
        #expect(fd > 2)
        defer { close(fd) }
        let result = try Harness.run("import os; print(sorted(int(x) for x in os.listdir('/proc/self/fd')))", sandbox: sandbox)
        #expect(result.stdout == "[0, 1, 2, 3]\n")  // 3 is listdir's own directory fd
    }

    @Test(arguments: SandboxKind.allCases) func theWorkdirFdHandedToTheHostForArtifactsIsNotInTheJob(_ sandbox: SandboxKind) throws {
        let code = """
            import os
            print(sorted(int(x) for x in os.listdir('/proc/self/fd')))
            print(sorted(int(x) for x in os.listdir('/proc/1/fd')) if os.access('/proc/1/fd', os.R_OK) else 'init hidden')
            open('result.txt', 'w').write('done')
            """
        let result = try Harness.run(code, artifacts: ArtifactRequest(paths: ["result.txt"], maxBytes: 100,
                                                                      totalBytes: 100), sandbox: sandbox)
        #expect(result.stdout == "[0, 1, 2, 3]\ninit hidden\n", "\(result)")
        #expect(result.artifacts?.first?.content == Array("done".utf8))
    }

    @Test(arguments: SandboxKind.allCases) func identityAndPrivilegesInsideTheJob(_ sandbox: SandboxKind) throws {
        let code = """
            import os, socket
            print(os.getuid(), os.getgid(), os.getgroups(), os.getpid(), socket.gethostname())
            status = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)
            print(status['CapEff'], status['CapPrm'], status['CapBnd'], status['CapAmb'], status['NoNewPrivs'], status['Seccomp'])
            try:
                open('/proc/1/environ').read(); print('init readable')
            except OSError:
                print('init hidden')
            print(all(l.endswith(':/') for l in open('/proc/self/cgroup').read().splitlines()))
            """
        let result = try Harness.run(code, sandbox: sandbox)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first == "1000 1000 [] 2 bexy")
        #expect(lines.dropFirst().first == "0000000000000000 0000000000000000 0000000000000000 0000000000000000 1 2")
        #expect(lines.dropFirst(2).first == "init hidden")
        #expect(lines.last == "True")  // a cgroup namespace rooted at the job's own cgroup
        let record = try #require(try Harness.auditRecord(result.id))
        #expect(record.hostUid >= 2_000_000_000)
    }

    // MARK: Seccomp

    @Test(arguments: [
        ("import ctypes; ctypes.CDLL(None).mount(b'none', b'/tmp', b'tmpfs', 0, None)", "mount"),
        ("import ctypes; ctypes.CDLL(None).ptrace(0, 0, None, None)", "ptrace"),
        ("import ctypes; ctypes.CDLL(None).unshare(0x10000000)", "unshare"),
        ("import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b'x')", "ioctl"),
    ], SandboxKind.allCases)
    func forbiddenSystemCallsAreBlockedByName(call: (code: String, name: String), sandbox: SandboxKind) throws {
        let (code, name) = call
        let result = try Harness.run(code, sandbox: sandbox)
        #expect(result.status == .syscallBlocked)
        #expect(result.blockedSyscall == name)
        let record = try #require(try Harness.auditRecord(result.id))
        #expect(record.blockedSyscall == name)
    }

    @Test(arguments: SandboxKind.allCases) func x32SystemCallsAreKilled(_ sandbox: SandboxKind) throws {
        let result = try Harness.run("import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39)", sandbox: sandbox)
        #expect(result.status == .syscallBlocked)
    }

    @Test(arguments: SandboxKind.allCases) func socketFamiliesOtherThanUnixAreRefused(_ sandbox: SandboxKind) throws {
        let code = """
            import socket
            for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):
                try:
                    socket.socket(family, socket.SOCK_DGRAM); print('open')
                except OSError as e:
                    print(e.errno)
            a, b = socket.socketpair(); a.send(b'ok'); print(b.recv(2).decode())
            """
        let result = try Harness.run(code, sandbox: sandbox)
        #expect(result.stdout == "97\n97\n97\n97\nok\n")  // EAFNOSUPPORT
    }

    // MARK: Concurrency and cleanup

    @Test(arguments: SandboxKind.allCases) func concurrentJobsCannotSeeEachOther(_ sandbox: SandboxKind) throws {
        let code = """
            import os, sys, time
            me = sys.argv[1]
            open('/tmp/marker-' + me, 'w').write(me)
            open('/sandbox/marker-' + me, 'w').write(me)
            time.sleep(0.5)
            print(sorted(os.listdir('/tmp')), sorted(f for f in os.listdir('/sandbox') if f.startswith('marker')),
                  sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
            """
        // Eight real threads, so the eight jobs overlap (each holds its slot for at least 0.5 s).
        let collected = Mutex<[(Int, ExecutionResult)]>([])
        let group = DispatchGroup()
        for n in 0..<8 {
            group.enter()
            Thread {
                if let result = try? Harness.run(code, arguments: ["\(n)"], sandbox: sandbox) {
                    collected.withLock { $0.append((n, result)) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let results = collected.withLock { $0 }
        #expect(results.count == 8)
        for (n, result) in results {
            #expect(result.status == .ok)
            #expect(result.stdout == "['marker-\(n)'] ['marker-\(n)'] [1, 2]\n")
        }
        let uids = try results.map { try #require(try Harness.auditRecord($0.1.id)).hostUid }
        #expect(Set(uids).count == 8)
    }

    @Test(arguments: SandboxKind.allCases) func nothingIsLeftAfterTwoHundredJobs(_ sandbox: SandboxKind) throws {
        let mountsBefore = Harness.readText("/proc/self/mountinfo")?.split(separator: "\n").count
        for n in 0..<200 {
            let result = try Harness.run(n % 2 == 0 ? "print(1)" : "import os\nif os.fork() == 0:\n    import time; time.sleep(9)", sandbox: sandbox)
            #expect(result.status == .ok)
        }
        #expect(Harness.list("/run/bexy/root").isEmpty)
        // Other suites run jobs at the same time: only free slots are inspected, each while holding its lock.
        #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
        #expect(Harness.readText("/proc/self/mountinfo")?.split(separator: "\n").count == mountsBefore)
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
