import Testing

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
