@testable import BexyCLI
import Bexy
import Testing

/// `QuickExec` reads `bexy exec` command lines without ArgumentParser; wherever it says yes, ArgumentParser
/// (`ExecCommand`) must read the same line the same way, and every line it is unsure of it must leave alone.
struct QuickExecParsingTests {
    /// Lines the quick path takes.
    static let taken: [[String]] = [
        ["exec", "job.py"],
        ["exec", "--profile", "standard", "job.py", "a", "--b", "-c"],
        ["exec", "--json", "-c", "print(1)"],
        ["exec", "--timeout", "2.5", "--memory", "64M", "-c", "print(1)", "x", "--json"],
        ["exec", "--", "job.py", "--help"],
        ["exec", "--json", "--timeout", "1e1", "--", "job.py", "arg"],
    ]

    /// Lines it leaves to ArgumentParser: help, unknown or repeated options, `=` forms, values it would refuse,
    /// options it does not carry, a program on stdin, a missing script.
    static let leftAlone: [[String]] = [
        ["exec"], ["exec", "--help"], ["exec", "-h"], ["exec", "--jsn", "job.py"], ["exec", "--json", "--json", "x.py"],
        ["exec", "--profile=strict", "x.py"], ["exec", "--timeout", "0", "x.py"], ["exec", "--timeout", "nan", "x.py"],
        ["exec", "--memory", "lots", "x.py"], ["exec", "--file", "a", "x.py"], ["exec", "--stdin", "a", "x.py"],
        ["exec", "--project", "d", "x.py"], ["exec", "--artifact", "a", "x.py"], ["exec", "-"], ["exec", "--", "-"],
        ["exec", "-c"], ["exec", "-c", "-1"], ["exec", "--profile"], ["exec", "--profile", "--json", "x.py"],
        ["profiles"], ["doctor"], [], ["exec", "--timeout", "-1", "x.py"],
    ]

    @Test(arguments: taken)
    func aTakenLineIsReadAsArgumentParserReadsIt(_ line: [String]) throws {
        let quick = try #require(QuickExec.Command(line))
        let full = try ExecCommand.parse(Array(line.dropFirst()))
        #expect(quick.profile == full.profile && quick.json == full.json && quick.code == full.code)
        #expect(quick.timeout == full.timeout && quick.memory == full.memory)
        var rest = full.scriptAndArguments
        if full.code == nil {
            if rest.first == "--" { rest.removeFirst() }
            #expect(quick.script == rest.removeFirst())
        }
        #expect(quick.programArguments == rest)
    }

    @Test(arguments: leftAlone)
    func aLineItIsUnsureOfIsLeftAlone(_ line: [String]) {
        #expect(QuickExec.Command(line) == nil)
    }
}
