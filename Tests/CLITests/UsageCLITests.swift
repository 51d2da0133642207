import Testing

/// `bexy`'s command line: help before the script, an unknown option named as such, usage errors exit 2 (the
/// README's code for a bad request, not ArgumentParser's 64).
@Suite struct UsageCLITests {
    @Test(arguments: [["--help"], ["exec", "--help"], ["exec", "-h"], ["exec", "--profile", "standard", "--help"]])
    func helpExitsZeroWithUsage(arguments: [String]) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 0 && !run.killedBySignal, "\(run)")
        #expect(run.stdout.contains("USAGE: bexy"), "\(run)")
        #expect(run.stderr == "", "\(run)")
    }

    @Test func execHelpSaysWhereTheProgramsArgumentsStart() throws {
        let run = try CLI.run(["exec", "--help"])
        #expect(run.stdout.contains("everything after SCRIPT"), "\(run)")
    }

    @Test(arguments: [["--bogus", "s.py"], ["-x"], ["--bogus", "-c", "print(1)"]])
    func anUnknownOptionBeforeTheScriptIsAUsageError(arguments: [String]) throws {
        let run = try CLI.exec(arguments)
        #expect(run.status == 2 && !run.killedBySignal, "\(run)")
        #expect(run.stdout == "", "\(run)")
        #expect(run.stderr.contains("unknown option '\(arguments[0])'"), "\(run)")
        #expect(!run.stderr.contains("No such file"), "\(run)")
    }

    @Test(arguments: [["exec"], ["exec", "--"], ["exec", "--timeout", "abc", "-c", "print(1)"], ["exec", "--profile"],
                      ["exec", "--timeout", "0", "-c", "print(1)"], ["profiles", "--bogus"], ["nosuchcommand"]])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 2 && !run.killedBySignal, "\(run)")
        #expect(run.stdout == "", "\(run)")
        #expect(run.stderr.contains("Usage: bexy") || run.stderr.contains("USAGE: bexy"), "\(run)")
    }
}
