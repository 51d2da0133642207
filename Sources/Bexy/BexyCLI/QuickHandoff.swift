import Bexy
import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// The hand-off of a plain `bexy exec` before ArgumentParser runs: reflecting over `ExecCommand`'s options costs a
/// few milliseconds per run, more than the warm job itself, so the common command lines are recognised here and
/// handed to a running service directly.
///
/// This parser only says yes to command lines it understands completely, whose values the full parser would
/// accept as they are: `exec`, then any of `--profile NAME`, `--json`, `--timeout SECONDS`, `--memory SIZE`, each
/// at most once, then `-c CODE` or a SCRIPT path (after an optional `--`), then the program's arguments. Anything
/// else (help, `--file`, `--stdin`, `--project`, a program on stdin, an `=` form, a value it would refuse, an
/// unknown word) returns nil, and so does a service that is absent or declines: `bexy` then goes the usual way
/// (ArgumentParser, `ExecCommand`), which hands off again or runs cold. Nothing of the caller's stdin is read
/// before the service has taken the job.
enum QuickHandoff {
    /// The exit code of the job the service ran, or nil to go the usual way.
    static func run(_ arguments: [String]) -> Int32? {
        guard let command = Command(arguments) else { return nil }
        let configuration = CLIConfiguration.load()
        guard let socket = configuration.settings.handoffSocket else { return nil }
        let program: [UInt8]
        if let code = command.code {
            program = Array(code.utf8)
        } else {
            let fd = open(command.script ?? "", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }  // the full path says why
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT != S_IFDIR, let bytes = readAll(fd) else { return nil }
            program = bytes
        }
        signal(SIGPIPE, SIG_IGN)  // as `ExecCommand.run`
        var overrides = LimitOverrides()
        overrides.timeoutMs = command.timeoutMs
        overrides.memoryBytes = command.memoryBytes
        let request = ExecutionRequest(
            code: program, profile: command.profile, arguments: command.programArguments, overrides: overrides,
            requester: CLIRequester.name(uid: getuid(), sudoUser: configuration.sudoUser), frontDoor: .cli)
        let relay = command.json ? nil : OutputRelay()
        let stdin = StdinSource.ownStandardInput(programFromStdin: false)
        switch ServiceHandoff.run(request, stdin: stdin.descriptor, json: command.json, socket: socket,
                                  sudoUser: configuration.sudoUser, settings: configuration.settings, relay: relay) {
        case .result(let report):
            relay?.drain()
            return ExecCommand.finish(report)
        case .refused(let message): fail(message, code: 2)
        case .failed(let message):
            relay?.drain()
            fail(message, code: 125)
        case .declined: return nil
        }
    }

    /// A plain `exec` command line, as `ExecCommand` would parse it.
    struct Command: Equatable {
        var profile = "strict"
        var json = false
        var timeoutMs: Int?
        var memoryBytes: Int?
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
                    guard let seconds = Double(value), let ms = try? LimitOverrides.timeoutMs(seconds: seconds)
                    else { return nil }
                    timeoutMs = ms
                case "--memory":
                    guard let bytes = try? ByteSize.parse(value) else { return nil }
                    memoryBytes = bytes
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
