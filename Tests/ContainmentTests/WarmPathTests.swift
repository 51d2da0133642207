import Bexy
import Jail
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The warm path against the cold one: a job must not be able to tell them apart (beyond timing and the
/// documented hash secret), and nothing of one warm job may reach the next.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct WarmPathTests {
    /// Everything a script can ask its interpreter about its start: argv, paths, flags, modules, stdio, ids,
    /// limits, signal handling, fds, environment.
    static let introspection = """
        import os, sys, signal, resource
        print(sys.argv, sys.orig_argv, sys.executable, sys.path, __file__, __name__, sys.flags)
        print(sorted(sys.modules))
        print(sorted(k for k in globals() if not k.startswith('__')), sorted(k for k in globals()))
        print(os.getcwd(), os.getpid(), os.getppid(), os.getuid(), os.getgid(), os.getgroups(), os.umask(0o22))
        print([resource.getrlimit(r) for r in (resource.RLIMIT_CPU, resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC,
               resource.RLIMIT_STACK, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)])
        print([str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGPIPE, signal.SIGTERM, signal.SIGCHLD,
               signal.SIGXFSZ)], signal.pthread_sigmask(signal.SIG_BLOCK, []))
        print(sorted(os.listdir('/proc/self/fd')), sys.stdin.read(), type(sys.stdin.buffer.raw).__name__)
        print(sys.stdout.encoding, sys.stdout.line_buffering, sys.stdout.write_through, sys.stderr.encoding)
        print(sorted(os.environ.items()))
        print(open('/proc/self/status').read().split('CapInh')[1].split('Seccomp_filters')[0])
        print(os.listdir('/sandbox'), os.listdir('/tmp'), sorted(os.listdir('/')))
        """

    @Test func theJobSeesTheSameInterpreterOnBothPaths() throws {
        let cold = try Harness.run(Self.introspection, stdin: .bytes(Array("in".utf8)), arguments: ["a", "b c"], sandbox: .cold)
        let warm = try Harness.run(Self.introspection, stdin: .bytes(Array("in".utf8)), arguments: ["a", "b c"], sandbox: .warm)
        #expect(cold.status == .ok, "\(cold.stderr)")
        let coldLines = cold.stdout.split(separator: "\n"), warmLines = warm.stdout.split(separator: "\n")
        #expect(coldLines.count == warmLines.count)
        for (c, w) in zip(coldLines, warmLines) { #expect(c == w) }
        #expect(cold.stderr == warm.stderr)
    }

    @Test func exitPathsMatchTheColdPath() throws {
        let cases = [
            "import sys; sys.exit(7)", "import sys; sys.exit('bye')", "raise SystemExit", "raise ValueError('x')",
            "import atexit, sys; atexit.register(lambda: print('atexit ran')); print('end', end='')",
            "import threading, time\ndef f():\n    time.sleep(0.2); print('thread done')\nthreading.Thread(target=f).start()",
            "import sys; sys.stdout.write('buffered'); sys.stderr.write('err')",
            "import os; os._exit(4)", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
            "raise KeyboardInterrupt",
        ]
        for code in cases {
            let cold = try Harness.run(code, sandbox: .cold), warm = try Harness.run(code, sandbox: .warm)
            #expect(cold.status == warm.status, "\(code)")
            #expect(cold.exitCode == warm.exitCode, "\(code)")
            #expect(cold.signal == warm.signal, "\(code)")
            #expect(cold.stdout == warm.stdout, "\(code)")
            #expect(cold.stderr == warm.stderr, "\(code)")
        }
    }

    @Test func nothingOfOneWarmJobReachesTheNext() throws {
        let dirty = """
            import os, sys, json, builtins, subprocess
            open('/tmp/left', 'w').write('x'); open('/sandbox/left', 'w').write('x')
            json.leaked = 1; builtins.leaked = 1; sys.path.append('/leaked'); os.environ['LEAKED'] = '1'
            sys.modules['leaked_module'] = json
            if os.fork() == 0:
                import time; time.sleep(30)
            print('dirty')
            """
        let check = """
            import os, sys, builtins
            print(os.path.exists('/tmp/left'), os.path.exists('/sandbox/left'), hasattr(builtins, 'leaked'),
                  '/leaked' in sys.path, 'LEAKED' in os.environ, 'leaked_module' in sys.modules, 'json' in sys.modules,
                  sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
            """
        for _ in 0..<3 {
            #expect(try Harness.run(dirty, sandbox: .warm).stdout == "dirty\n")
            #expect(try Harness.run(check, sandbox: .warm).stdout == "False False False False False False False [1, 2]\n")
        }
    }

    @Test func randomStateIsFreshInEveryJob() throws {
        let code = "import random, os; print(random.random(), os.urandom(8).hex())"
        let outputs = try (0..<4).map { _ in try Harness.run(code, sandbox: .warm).stdout }
        #expect(Set(outputs).count == 4)
    }

    @Test func theWallClockStartsAtTheHandover() throws {
        // A first job makes the pool keep a sandbox of this shape ready; it then waits longer than the job's
        // whole wall-clock limit before the second job arrives, which must still get its full second.
        let overrides = LimitOverrides(timeoutMs: 1000)
        _ = try Harness.run("print(1)", overrides: overrides, sandbox: .warm)
        usleep(1_500_000)
        let result = try Harness.run("import time; time.sleep(0.6); print('on time')", overrides: overrides,
                                     sandbox: .warm)
        #expect(result.status == .ok)
        #expect(result.stdout == "on time\n")
        #expect(result.wallMs < 1000)
    }
}
