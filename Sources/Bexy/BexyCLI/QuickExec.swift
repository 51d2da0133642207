import Bexy
import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec` without ArgumentParser for the common command lines: reflecting over `ExecCommand`'s options costs
/// about 1.5 ms per run (more than a warm job's whole hand-off), so the lines below are read here and run as the same
/// `ExecInvocation`, handed off or cold.
///
/// This parser only says yes to command lines it understands completely, whose values the full parser would
/// accept as they are: `exec`, then any of `--profile NAME`, `--json`, `--timeout SECONDS`, `--memory SIZE`, each
/// at most once, then `-c CODE` or a SCRIPT path (after an optional `--`), then the program's arguments. Anything
/// else (help, `--file`, `--stdin`, `--project`, a program on stdin, an `=` form, a value it would refuse, an
/// unknown word) is left to ArgumentParser (`ExecCommand`), whose tests cover those lines. `QuickExecParsingTests`
/// checks that both parsers read every line this one takes alike.
enum QuickExec {
    /// Bexy's exit code, or nil when `arguments` (without the program name) is not a line this parser takes.
    static func run(_ arguments: [String]) -> Int32? {
        guard let command = Command(arguments) else { return nil }
        return ExecInvocation(profile: command.profile, json: command.json, timeout: command.timeout,
                              memory: command.memory, code: command.code, script: command.script,
                              arguments: command.programArguments).run()
    }

    /// A plain `exec` command line, as `ExecCommand` would parse it.
    struct Command: Equatable {
        var profile = "strict"
        var json = false
        var timeout: Double?
        var memory: String?
        var code: String?
        var script: String?
        var programArguments: [String] = []

        /// Nil unless `arguments` (without the program name) is a command line of the subset above.
        init?(_ arguments: [String]) {
            guard arguments.first == "exec" else { return nil }
            var rest = arguments.dropFirst()
            var seen: Set<String> = []
            while let word = rest.first, word.hasPrefix("-"), word != "-", word != "--", word != "-c" {
                rest.removeFirst()
                guard seen.insert(word).inserted else { return nil }
                if word == "--json" {
                    json = true
                    continue
                }
                guard let value = rest.first, !value.hasPrefix("-") else { return nil }
                rest.removeFirst()
                switch word {
                case "--profile":
                    profile = value
                case "--timeout":
                    guard let seconds = Double(value), (try? LimitOverrides.timeoutMs(seconds: seconds)) != nil
                    else { return nil }
                    timeout = seconds
                case "--memory":
                    guard (try? ByteSize.parse(value)) != nil else { return nil }
                    memory = value
                default:
                    return nil
                }
            }
            if rest.first == "-c" {
                rest.removeFirst()
                guard let text = rest.first, !text.hasPrefix("-") else { return nil }
                code = text
                rest.removeFirst()
            } else {
                if rest.first == "--" { rest.removeFirst() }
                guard let path = rest.first, path != "-" else { return nil }
                script = path
                rest.removeFirst()
            }
            programArguments = Array(rest)
        }
    }
}
