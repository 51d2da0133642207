import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec` refuses a limit its profile does not allow with exit code 2 and one line in the units of the
/// option, naming the profile that allows more.
@Suite struct RefusalCLITests {
    @Test func aTimeoutOverTheProfileIsRefusedInSeconds() throws {
        let run = try CLI.exec(["--timeout", "60", "-c", "print(1)"])
        #expect(run.status == 2 && !run.killedBySignal, "\(run)")
        #expect(run.stdout == "", "\(run)")
        #expect(run.stderrLines == [
            "bexy: --timeout: 60 s exceeds the strict profile's maximum of 10 s; the standard profile allows up to 30 s",
        ], "\(run)")
    }

    @Test func aMemoryLimitOverTheLoosestProfileSaysOnlyTighteningIsAllowed() throws {
        let run = try CLI.exec(["--profile", "standard", "--memory", "1G", "-c", "print(1)"])
        #expect(run.status == 2 && !run.killedBySignal, "\(run)")
        #expect(run.stderrLines == [
            "bexy: --memory: 1024 MiB exceeds the standard profile's maximum of 512 MiB; "
                + "requests may only tighten a profile's limits",
        ], "\(run)")
    }
}

/// A runtime directory below a directory others may not search would fail every job at its first mount with a
/// bare "Permission denied": `bexy exec` refuses before the job, naming the directory and the fix.
@Suite(.enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct RuntimeDirectoryCLITests {
    @Test func aRuntimeDirectoryJobsCannotReachIsRefusedNamingIt() throws {
        let closed = CLI.makeTemporaryDirectory()
        #expect(chmod(closed, 0o700) == 0)
        let run = try CLI.exec(["-c", "print(1)"], environment: ["BEXY_RUNTIME_DIR": closed + "/run"])
        #expect(run.status != 0 && run.stdout == "", "\(run)")
        #expect(run.stderr.contains("\(closed) is mode 700") && run.stderr.contains("chmod o+x \(closed)"), "\(run)")
        #expect(!run.stderr.contains("mount root tmpfs"), "\(run)")
    }
}
