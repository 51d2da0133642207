import Foundation
import TestSupport
import Testing

/// The `bexy` binary's behaviour that needs no sandbox: listing profiles, and requests refused before
/// anything runs (exit 2, one readable line).
@Suite struct CLIRequestTests {
    /// Asserts the run was refused with exit code 2, one `bexy: ` line on stderr mentioning every `words`, and no
    /// output.
    private func expectRefused(_ run: CLI.Run, mentioning words: [String],
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 2 && !run.killedBySignal, "\(run)", sourceLocation: sourceLocation)
        #expect(run.stdout == "", "\(run)", sourceLocation: sourceLocation)
        #expect(run.stderrLines.count == 1, "expected one line on stderr:\n\(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("bexy: "), "\(run)", sourceLocation: sourceLocation)
        for word in words {
            #expect(run.stderr.contains(word), "stderr should mention \(word):\n\(run)", sourceLocation: sourceLocation)
        }
    }

    @Test func profilesListsStrictAndStandard() throws {
        let run = try CLI.run(["profiles"])
        #expect(run.status == 0, "\(run)")
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.first?.first == "NAME")
        let names = Set(rows.dropFirst().compactMap { $0.first.map(String.init) })
        #expect(names.isSuperset(of: ["strict", "standard"]), "\(run)")
        let strict = try #require(rows.first { $0.first == "strict" })
        let limits = try #require(try CLI.profileJSON("strict")["limits"] as? [String: Any])
        let wall = try #require(limits["wall_time_ms"] as? Int)
        let memory = try #require(limits["memory_bytes"] as? Int)
        #expect(strict.count > 4)
        #expect(strict.dropFirst().first.map(String.init) == "\(wall / 1000)s")
        #expect(strict.dropFirst(3).first.map(String.init) == "\(memory / 1_048_576)MiB")
    }

    @Test func profilesShowsOneProfileAsJSON() throws {
        let run = try CLI.run(["profiles", "strict"])
        #expect(run.status == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "strict")
        let file = try CLI.profileJSON("strict")
        let shown = try #require(object["limits"] as? [String: Any])
        let expected = try #require(file["limits"] as? [String: Any])
        #expect(shown["memory_bytes"] as? Int == expected["memory_bytes"] as? Int)
        #expect(shown["wall_time_ms"] as? Int == expected["wall_time_ms"] as? Int)
        #expect(object["python"] as? String == file["python"] as? String)
    }

    @Test func profilesOfAnUnknownNameIsRefused() throws {
        expectRefused(try CLI.run(["profiles", "nope"]), mentioning: ["nope"])
    }

    @Test func aMemoryLimitAboveTheProfileIsRefusedNamingTheField() throws {
        let state = CLI.makeTemporaryDirectory()
        let run = try CLI.exec(["--memory", "4G", "-c", "print(1)"], stateDirectory: state)
        expectRefused(run, mentioning: ["--memory: 4096 MiB exceeds the strict profile's maximum of 128 MiB", "standard"])
        // Nothing ran, so nothing was audited.
        let audit = try CLI.run(["audit", "--json"], stateDirectory: state)
        #expect(audit.status == 0, "\(audit)")
        #expect(audit.stdout == "", "\(audit)")
    }

    @Test func anUnparsableMemoryLimitIsRefused() throws {
        expectRefused(try CLI.exec(["--memory", "12X", "-c", "print(1)"]), mentioning: ["--memory", "12X"])
    }

    @Test func anUnknownProfileIsRefused() throws {
        expectRefused(try CLI.exec(["--profile", "nope", "-c", "print(1)"]), mentioning: ["nope"])
    }

    @Test func aProfileNameWithAPathIsRefused() throws {
        expectRefused(try CLI.exec(["--profile", "../etc", "-c", "print(1)"]), mentioning: ["../etc"])
    }

    @Test func aMissingScriptFileIsRefused() throws {
        let path = CLI.makeTemporaryDirectory() + "/missing.py"
        expectRefused(try CLI.exec([path]), mentioning: [path])
    }

    @Test func aMissingStdinFileIsRefused() throws {
        let path = CLI.makeTemporaryDirectory() + "/missing.txt"
        expectRefused(try CLI.exec(["--stdin", path, "-c", "print(1)"]), mentioning: ["--stdin", path])
    }

    @Test(arguments: ["../escape.txt", "/etc/x", "a//b", "main.py"])
    func anUnsafeOrReservedFileDestinationIsRefused(destination: String) throws {
        let source = try CLI.temporaryFile("x")
        expectRefused(try CLI.exec(["--file", "\(source):\(destination)", "-c", "print(1)"]), mentioning: ["--file:", destination])
    }

    // A directory is not a readable file: bexy must refuse it rather than run (or pass on) nothing.
    @Test func aDirectoryAsTheScriptIsRefused() throws {
        let directory = CLI.makeTemporaryDirectory()
        expectRefused(try CLI.exec([directory]), mentioning: [directory])
    }

    @Test func aDirectoryAsStdinIsRefused() throws {
        let directory = CLI.makeTemporaryDirectory()
        expectRefused(try CLI.exec(["--stdin", directory, "-c", "print(1)"]), mentioning: ["--stdin", directory])
    }

    @Test func aDirectoryAsAFileIsRefused() throws {
        let directory = CLI.makeTemporaryDirectory()
        expectRefused(try CLI.exec(["--file", directory + ":d.txt", "-c", "print(1)"]),
                      mentioning: ["--file", directory])
    }

    @Test(arguments: ["", ":"])
    func anEmptyFileSpecIsRefused(spec: String) throws {
        expectRefused(try CLI.exec(["--file", spec, "-c", "print(1)"]), mentioning: ["--file"])
    }

    // Larger than the profile allows, so refused like `--timeout 20`, not a crash.
    @Test(arguments: ["20", "1e30", "inf"])
    func aTimeoutAboveTheProfileIsRefused(timeout: String) throws {
        expectRefused(try CLI.exec(["--timeout", timeout, "-c", "print(1)"]), mentioning: ["timeout"])
    }

    @Test func noScriptIsAUsageError() throws {
        let run = try CLI.exec([])
        #expect(run.status != 0 && !run.killedBySignal, "\(run)")
        #expect(run.stdout == "")
        #expect(run.stderr.contains("SCRIPT"), "\(run)")
    }

    @Test func aNonPositiveTimeoutIsAUsageError() throws {
        let run = try CLI.exec(["--timeout", "0", "-c", "print(1)"])
        #expect(run.status != 0 && !run.killedBySignal, "\(run)")
        #expect(run.stderr.contains("--timeout"), "\(run)")
    }

    @Test func auditRefusesAnUnknownStatus() throws {
        let run = try CLI.run(["audit", "--status", "nope"])
        #expect(run.status != 0 && !run.killedBySignal, "\(run)")
        #expect(run.stdout == "")
        #expect(run.stderr.contains("--status"), "\(run)")
        #expect(run.stderr.contains("runtime_error"), "the message lists the known statuses:\n\(run)")
    }
}

/// Runs real jobs through the `bexy` binary.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct CLIJobTests {
    @Test func execPrintsTheProgramsOutput() throws {
        let run = try CLI.exec(["-c", "print(1)"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "1\n")
        #expect(run.stderr == "")
    }

    @Test func codeGetsTheArgumentsAfterIt() throws {
        let run = try CLI.exec(["-c", "import sys; print(sys.argv[1:])", "a", "b c"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "['a', 'b c']\n")
    }

    @Test func scriptFileWithArguments() throws {
        let script = try CLI.temporaryFile(named: "args.py", "import sys\nprint(sys.argv[1:])\n")
        let run = try CLI.exec([script, "a", "b c", "--flag", "--json", "-x"])
        #expect(run.status == 0, "\(run)")
        // Everything after the script is the script's, even what looks like bexy's own options.
        #expect(run.stdout == "['a', 'b c', '--flag', '--json', '-x']\n")
        #expect(run.stderr == "")
    }

    @Test func dashReadsTheProgramFromStdin() throws {
        let run = try CLI.exec(["-", "arg"],
                               stdin: "import sys\nprint('from stdin', sys.argv[1:], repr(sys.stdin.read()))\n")
        #expect(run.status == 0, "\(run)")
        // The program came from stdin, so the program's own stdin is empty.
        #expect(run.stdout == "from stdin ['arg'] ''\n")
    }

    @Test func stdinFileBecomesTheProgramsStdin() throws {
        let input = try CLI.temporaryFile(named: "input.txt", "hello\nworld\n")
        let run = try CLI.exec(["--stdin", input, "-c", "import sys; print(sys.stdin.read().upper(), end='')"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "HELLO\nWORLD\n")
    }

    @Test func filesAreCopiedIntoTheWorkingDirectory() throws {
        let first = try CLI.temporaryFile(named: "first.txt", "payload-1")
        let second = try CLI.temporaryFile(named: "second.txt", "payload-2")
        let code = """
            import os
            print(os.getcwd())
            print(open('data/in.txt').read())
            print(open('second.txt').read())
            """
        let run = try CLI.exec(["--file", "\(first):data/in.txt", "--file", second, "-c", code])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "/sandbox\npayload-1\npayload-2\n")
    }

    @Test func theProgramsExitCodeIsForwarded() throws {
        let run = try CLI.exec(["-c", "import sys; sys.exit(3)"])
        #expect(run.status == 3 && !run.killedBySignal, "\(run)")
        #expect(run.stderr == "")
    }

    @Test func anUncaughtExceptionExitsOneWithTheTracebackOnly() throws {
        let run = try CLI.exec(["-c", "print('before')\n1 / 0"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout == "before\n")
        #expect(run.stderr.hasSuffix("ZeroDivisionError: division by zero\n"), "\(run)")
        #expect(!run.stderr.contains("bexy:"), "a runtime error adds no bexy line:\n\(run)")
    }

    @Test func timeoutExits124() throws {
        let run = try CLI.exec(["--timeout", "1", "-c", "import time; print('start', flush=True); time.sleep(30)"])
        #expect(run.status == 124, "\(run)")
        #expect(run.stdout == "start\n")
        #expect(run.stderrLines.contains { $0.hasPrefix("bexy: timeout:") }, "\(run)")
        // The tightened limit fired, not the profile's 10 s.
        #expect(run.seconds < 8, "\(run)")
    }

    @Test func jsonPrintsExactlyOneResultObject() throws {
        let run = try CLI.exec(["--json", "-c", "import sys; print(1); print('warn', file=sys.stderr)"])
        #expect(run.status == 0, "\(run)")
        // The program's streams are inside the object, not passed through.
        #expect(run.stderr == "", "\(run)")
        let object = try CLI.jsonObject(run)
        #expect(Set(object.keys) == CLI.resultKeys)
        #expect(object["status"] as? String == "ok")
        #expect(object["success"] as? Bool == true)
        #expect(object["exit_code"] as? Int == 0)
        #expect(object["signal"] is NSNull)
        #expect(object["stdout"] as? String == "1\n")
        #expect(object["output"] as? String == "1\n")
        #expect(object["stderr"] as? String == "warn\n")
        #expect(object["error"] as? String == "warn\n")
        #expect(object["profile"] as? String == "strict")
        #expect((object["id"] as? String)?.isEmpty == false)
        #expect(object["limit_hit"] is NSNull)
        #expect(object["error_type"] is NSNull)
    }

    @Test func jsonExitCodeMatchesARuntimeError() throws {
        let run = try CLI.exec(["--json", "-c", "import sys; sys.exit(5)"])
        #expect(run.status == 5, "\(run)")
        let object = try CLI.jsonObject(run)
        #expect(Set(object.keys) == CLI.resultKeys)
        #expect(object["status"] as? String == "runtime_error")
        #expect(object["exit_code"] as? Int == 5)
        #expect(object["success"] as? Bool == false)
    }

    @Test func jsonExitCodeMatchesATimeout() throws {
        let run = try CLI.exec(["--json", "--timeout", "1", "-c", "while True: pass"])
        #expect(run.status == 124, "\(run)")
        let object = try CLI.jsonObject(run)
        #expect(object["status"] as? String == "timeout")
        #expect(object["limit_hit"] as? String == "wall")
        #expect((object["limits"] as? [String: Any])?["wall_time_ms"] as? Int == 1000)
    }

    @Test func memoryBombExits137() throws {
        let code = "x = []\nwhile True: x.append(bytearray(1 << 20))"
        let run = try CLI.exec(["--memory", "32M", "-c", code])
        #expect(run.status == 137, "\(run)")
        #expect(run.stderrLines.contains { $0.hasPrefix("bexy: memory_limit:") }, "\(run)")
        let json = try CLI.exec(["--json", "--memory", "32M", "-c", code])
        #expect(json.status == 137, "\(json)")
        let object = try CLI.jsonObject(json)
        #expect(object["status"] as? String == "memory_limit")
        #expect(object["limit_hit"] as? String == "memory")
        #expect(object["error_type"] as? String == "MemoryError")
        #expect((object["limits"] as? [String: Any])?["memory_bytes"] as? Int == 32 << 20)
    }

    @Test func aBlockedSystemCallExits159() throws {
        let code = "import ctypes; ctypes.CDLL(None).ptrace(0, 0, None, None)"
        let run = try CLI.exec(["-c", code])
        #expect(run.status == 159, "\(run)")
        #expect(run.stderrLines.contains { $0.hasPrefix("bexy: syscall_blocked:") && $0.contains("ptrace") }, "\(run)")
        let json = try CLI.exec(["--json", "-c", code])
        #expect(json.status == 159, "\(json)")
        let object = try CLI.jsonObject(json)
        #expect(object["status"] as? String == "syscall_blocked")
        #expect(object["blocked_syscall"] as? String == "ptrace")
    }

    @Test func outputLimitExits137WithTheCapturedPrefix() throws {
        let code = "import sys; sys.stdout.write('x' * (3 << 20))"
        let run = try CLI.exec(["-c", code])
        #expect(run.status == 137, "\(run.status) \(run.stderr)")
        #expect(run.stdout.utf8.count == 1 << 20)
        #expect(run.stdout.allSatisfy { $0 == "x" })
        #expect(run.stderrLines.contains { $0.hasPrefix("bexy: output_limit:") }, "\(run.stderr)")
        let json = try CLI.exec(["--json", "-c", code])
        #expect(json.status == 137)
        let object = try CLI.jsonObject(json)
        #expect(object["status"] as? String == "output_limit")
        #expect(object["stdout_truncated"] as? Bool == true)
    }

    @Test func aSignalExits128PlusItsNumber() throws {
        let run = try CLI.exec(["-c", "import os, signal; print('bye', flush=True); os.kill(os.getpid(), signal.SIGTERM)"])
        #expect(run.status == 128 + 15, "\(run)")
        #expect(run.stdout == "bye\n")
        #expect(run.stderrLines.contains { $0.hasPrefix("bexy: signaled:") && $0.hasSuffix("signal 15") }, "\(run)")
    }

    /// The untrusted program starts with default signal dispositions and an empty signal mask, whatever the
    /// process that started bexy ignored or blocked (nohup, shells' background jobs, service managers).
    @Test func theProgramDoesNotInheritTheCallersSignalState() throws {
        let wrapper = """
            import os, signal, sys
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let code = """
            import signal
            print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
            """
        let run = try CLI.run(["exec", "-c", code], launcher: ["/usr/bin/python3", "-c", wrapper])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "True []\n", "\(run)")
    }

    @Test func theRequesterIsTheSudoCallerWhenThereIsOne() throws {
        let state = CLI.makeTemporaryDirectory()
        let run = try CLI.exec(["--json", "-c", "print(2)"], stateDirectory: state, environment: ["SUDO_USER": "alice"])
        #expect(run.status == 0, "\(run)")
        let id = try #require(try CLI.jsonObject(run)["id"] as? String)
        let audit = try CLI.run(["audit", "--json"], stateDirectory: state)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        #expect(record["id"] as? String == id)
        #expect(record["requester"] as? String == "cli:alice")
    }

    @Test func theStandardProfileIsSelectable() throws {
        let run = try CLI.exec(["--json", "--profile", "standard", "-c", "print('std')"])
        #expect(run.status == 0, "\(run)")
        let object = try CLI.jsonObject(run)
        #expect(object["profile"] as? String == "standard")
        #expect(object["stdout"] as? String == "std\n")
    }

    @Test func auditListsTheRunWithItsRequester() throws {
        let state = CLI.makeTemporaryDirectory()
        let code = "print('audited')"
        let ok = try CLI.exec(["--json", "-c", code], stateDirectory: state)
        #expect(ok.status == 0, "\(ok)")
        let id = try #require(try CLI.jsonObject(ok)["id"] as? String)
        let failed = try CLI.exec(["--json", "-c", "raise SystemExit(7)"], stateDirectory: state)
        #expect(failed.status == 7, "\(failed)")
        let failedID = try #require(try CLI.jsonObject(failed)["id"] as? String)

        let audit = try CLI.run(["audit", "--json"], stateDirectory: state)
        #expect(audit.status == 0, "\(audit)")
        let records = try audit.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == 2, "\(audit)")
        // Newest first.
        #expect(records.map { $0["id"] as? String } == [failedID, id])
        let record = try #require(records.first { $0["id"] as? String == id })
        #expect((record["requester"] as? String)?.hasPrefix("cli:") == true, "\(record)")
        #expect(record["front_door"] as? String == "cli")
        #expect(record["status"] as? String == "ok")
        #expect(record["profile"] as? String == "strict")
        #expect(record["code_bytes"] as? Int == code.utf8.count)

        let filtered = try CLI.run(["audit", "--json", "--status", "runtime_error"], stateDirectory: state)
        #expect(filtered.status == 0, "\(filtered)")
        let filteredIDs = try filtered.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["id"] as? String
        }
        #expect(filteredIDs == [failedID])

        let table = try CLI.run(["audit"], stateDirectory: state)
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.contains(String(id.prefix(8))), "\(table)")
    }

    @Test func doctorPassesOnThisHost() throws {
        let run = try CLI.run(["doctor"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("user namespaces"), "\(run)")
        #expect(!run.stdout.contains("MISSING"), "\(run)")
    }
}

/// What `kill -9` of bexy leaves behind: nothing (the job's init dies with its parent, PR_SET_PDEATHSIG, and
/// with it the whole pid namespace).
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct CLIKillTests {
    /// Host pids whose command line contains the argument `marker`.
    private func processes(withArgument marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == marker }
        }
    }

    @Test func killingBexyWithSigkillKillsTheWholeJob() throws {
        let marker = "bexy-kill-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // The launcher starts bexy in the background, lets the job start, then kill -9s bexy itself.
        // Before the kill it counts the processes carrying the marker: sh, bexy, the job's init and python.
        let script = """
            "$@" & pid=$!; sleep 1.5
            n=0; for f in /proc/[0-9]*/cmdline; do tr '\\0' '\\n' < $f 2>/dev/null | grep -qx -- "$5" && n=$((n+1)); done
            echo "before=$n"; kill -9 $pid; wait $pid; exit 0
            """
        let run = try CLI.run(["exec", "-c", "import time\nprint('up', flush=True)\ntime.sleep(30)", marker],
                              launcher: ["/bin/sh", "-c", script, "sh"], limit: 30)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("before=4"), "the job was not running before the kill: \(run)")
        var left = processes(withArgument: marker)
        for _ in 0..<40 where !left.isEmpty {
            usleep(50_000)
            left = processes(withArgument: marker)
        }
        #expect(left.isEmpty, "processes of the killed job still running: \(left)")
    }
}
