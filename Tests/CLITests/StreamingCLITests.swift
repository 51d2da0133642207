import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec` passes stdin through and copies the program's output as it is produced, like `python3 script.py`.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct StreamingCLITests {
    @Test func aRedirectedFileIsTheProgramsStdin() throws {
        let run = try CLI.exec(["-c", "import sys; print(sys.stdin.read().upper(), end='')"], stdin: "hello\nworld\n")
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "HELLO\nWORLD\n", "\(run)")
    }

    /// The program answers the first line before the second is written: stdin is streamed, not read up front.
    @Test func aPipeIsStreamedToTheProgramWhileItRuns() throws {
        try Self.expectStdinStreamed()
    }

    /// Run a program that answers each line of its stdin in `bexy exec` (with `environment`) and check that it
    /// answered the first before the second was written.
    static func expectStdinStreamed(environment: [String: String] = [:],
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bexy = try RunningCLI(["exec", "-c", "print('hello', input(), flush=True)\nprint('then', input())"],
                                  environment: environment)
        bexy.write("ada\n")
        #expect(bexy.readLine() == "hello ada", sourceLocation: sourceLocation)
        #expect(bexy.isRunning, "the program should still be waiting for its second line", sourceLocation: sourceLocation)
        bexy.write("bob\n")
        bexy.closeInput()
        #expect(bexy.readRest() == "then bob\n", sourceLocation: sourceLocation)
        #expect(bexy.exitCode() == 0, sourceLocation: sourceLocation)
    }

    @Test func stdinPastTheCapIsClosedWithOneLine() throws {
        let run = try CLI.exec(["-c", "import sys; print(repr(sys.stdin.read()))"], stdin: "abcdefghij",
                               environment: ["BEXY_MAX_STDIN_BYTES": "4"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "'abcd'\n", "\(run)")
        #expect(run.stderrLines == [
            "bexy: stdin: the job's stdin was closed after 4 bytes (BEXY_MAX_STDIN_BYTES); the rest was not read",
        ], "\(run)")
    }

    @Test func stdinExactlyAtTheCapPassesSilently() throws {
        let run = try CLI.exec(["-c", "import sys; print(repr(sys.stdin.read()))"], stdin: "abcd",
                               environment: ["BEXY_MAX_STDIN_BYTES": "4"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "'abcd'\n" && run.stderr == "", "\(run)")
    }

    @Test func aProgramFromStdinReadsItsStdinFromTheStdinOption() throws {
        let input = try CLI.temporaryFile(named: "input.txt", "data\n")
        let run = try CLI.exec(["--stdin", input, "-"], stdin: "import sys\nprint(repr(sys.stdin.read()))\n")
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "'data\\n'\n", "\(run)")
    }

    /// Lines written to stdout and stderr 0.2 s apart arrive while the program still runs, in the order written.
    @Test func outputArrivesWhileTheJobRunsInTheOrderItWasWritten() throws {
        let code = """
            import sys, time
            for n in (1, 2):
                print('out', n, flush=True); time.sleep(0.2)
                print('err', n, file=sys.stderr, flush=True); time.sleep(0.2)
            time.sleep(5)
            print('end')
            """
        let bexy = try RunningCLI(["exec", "-c", code])
        bexy.closeInput()
        var early: [String] = []
        for _ in 0..<4 { if let line = bexy.readLine() { early.append(line) } }
        #expect(early == ["out 1", "err 1", "out 2", "err 2"])
        #expect(bexy.isRunning, "the output should arrive while the program still sleeps")
        #expect(bexy.readRest() == "end\n")
        #expect(bexy.exitCode() == 0)
    }

    @Test func withJSONTheOutputIsOnlyInTheJSON() throws {
        let run = try CLI.exec(["--json", "-c", "import sys; print('o'); print('e', file=sys.stderr)"])
        #expect(run.status == 0, "\(run)")
        let object = try CLI.jsonObject(run)
        #expect(object["stdout"] as? String == "o\n" && object["stderr"] as? String == "e\n")
        #expect(run.stderr == "", "\(run)")
    }

    @Test func everythingAfterTheScriptIsTheProgramsHelpIncluded() throws {
        let script = try CLI.temporaryFile(named: "args.py", "import sys\nprint(sys.argv[1:])\n")
        let run = try CLI.exec([script, "--help", "-h", "--bogus"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "['--help', '-h', '--bogus']\n", "\(run)")
        let code = try CLI.exec(["-c", "import sys; print(sys.argv[1:])", "--help"])
        #expect(code.stdout == "['--help']\n", "\(code)")
    }

    @Test func aDoubleDashEndsBexysOptions() throws {
        let script = try CLI.temporaryFile(named: "-dash.py", "import sys\nprint(sys.argv[1:])\n")
        let directory = (script as NSString).deletingLastPathComponent
        let run = try CLI.run(["exec", "--", "-dash.py", "a"], launcher: ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"",
                                                                         directory])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "['a']\n", "\(run)")
    }
}
