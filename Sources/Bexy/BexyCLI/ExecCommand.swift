import ArgumentParser
import Bexy

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec`: run one Python program in the sandbox.
///
/// Exit codes (as timeout(1) and docker): the program's own exit code; 124 on timeout; 128+N when a signal
/// ended it (137 for memory and output limits, 159 for a blocked system call); 125 when the sandbox could
/// not be set up; 2 for a bad request or a usage error.
///
/// Options come before SCRIPT; everything after SCRIPT (or after `-c CODE`) is the program's argv. Without `--json`
/// the program's output is copied to bexy's stdout and stderr as it is produced (`OutputRelay`). The program's
/// stdin is `--stdin FILE`, else bexy's own stdin, streamed while it runs (`StdinPump`), except when the program
/// itself comes from stdin (`-`) or bexy's stdin is the terminal of a background job: then it is empty.
///
/// When a BEXY service runs on this host with the same settings (its socket is `BEXY_HANDOFF_SOCKET`), the job runs
/// in the service's warm pool instead (`ServiceHandoff`): same output, result, audit record and exit code, sooner.
/// Requests with `--project` or `--artifact`, and every request when no service answers, run cold here.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a Python program in the sandbox.",
        discussion: """
            Options go before SCRIPT; everything after SCRIPT (or after -c CODE) is passed to the program, \
            --help included. Without --json the program's stdout and stderr appear as they are produced. The \
            program reads bexy's stdin while it runs (at most BEXY_MAX_STDIN_BYTES, 4 MiB by default; at the cap \
            its stdin is closed and bexy says so on stderr), or --stdin FILE; with SCRIPT '-' the program is read \
            from stdin and its own stdin is empty.
            """)

    @Option(help: "Sandbox profile (see `bexy profiles`).")
    var profile = "strict"

    @Flag(help: "Print exactly one JSON result object on stdout instead of passing the output through.")
    var json = false

    @Option(help: "File whose contents become the program's stdin (instead of bexy's stdin).")
    var stdin: String?

    @Option(name: .customLong("file"), help: "Copy a host file into the working directory: SRC or SRC:DEST.")
    var files: [String] = []

    @Option(help: "Wall-clock limit in seconds (may only tighten the profile).")
    var timeout: Double?

    @Option(help: "Memory limit, e.g. 64M or 1G (may only tighten the profile).")
    var memory: String?

    @Option(name: .customShort("c"), help: "Program text to run instead of a script file.")
    var code: String?

    @Option(help: ArgumentHelp("Copy a project directory into the working directory (regular files only; "
                               + "symlinks and devices are skipped).", valueName: "DIR"))
    var project: String?

    @Option(name: .customLong("artifact"),
            help: ArgumentHelp("Copy this file (relative to the working directory) out after the job.",
                               valueName: "PATH"))
    var artifacts: [String] = []

    @Option(help: ArgumentHelp("Write the collected artifacts under this directory.", valueName: "OUT"))
    var artifactsDir: String?

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("SCRIPT (or - to read the program from stdin) and the program's arguments.",
                                 valueName: "SCRIPT ARGS"))
    var scriptAndArguments: [String] = []

    /// Help options: before SCRIPT they ask for bexy's help.
    private static let helpNames: Set<String> = ["-h", "--help", "-help"]

    func validate() throws {
        // The parser stops at the first argument it does not know and captures the rest for the program: before
        // SCRIPT, a dash-prefixed word is a misspelt option or a request for help, never a script.
        if code == nil, let first = scriptAndArguments.first, first.hasPrefix("-"), first != "-", first != "--" {
            if Self.helpNames.contains(first) { throw CleanExit.helpRequest(self) }
            throw ValidationError("unknown option '\(first)' (bexy's options go before SCRIPT; "
                                  + "to run a script whose name starts with '-', put '--' before it)")
        }
        if code == nil && commandLine.script == nil {
            throw ValidationError("give a SCRIPT, - (read the program from stdin) or -c CODE")
        }
        if let timeout {
            do throws(LimitOverrides.InvalidValue) {
                _ = try LimitOverrides.timeoutMs(seconds: timeout)
            } catch {
                throw ValidationError("--timeout \(error.message)")
            }
        }
        if artifactsDir != nil && artifacts.isEmpty { throw ValidationError("--artifacts-dir needs --artifact PATH") }
    }

    /// The script (nil with `-c`) and the program's arguments: what follows bexy's options, a leading `--`
    /// (which ends them) dropped. With `-c` everything that follows is the program's, as with `python3 -c`.
    private var commandLine: (script: String?, arguments: [String]) {
        var rest = scriptAndArguments
        if code != nil { return (nil, rest) }
        if rest.first == "--" { rest.removeFirst() }
        guard !rest.isEmpty else { return (nil, []) }
        return (rest.removeFirst(), rest)
    }

    func run() throws {
        let (script, arguments) = commandLine
        throw ExitCode(ExecInvocation(
            profile: profile, json: json, stdin: stdin, files: files, timeout: timeout, memory: memory, code: code,
            project: project, artifacts: artifacts, artifactsDir: artifactsDir, script: script, arguments: arguments
        ).run())
    }
}

/// Read `fd` to EOF; nil on a read error (errno is set).
func readAll(_ fd: Int32) -> [UInt8]? {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return nil }
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}

/// Write every byte to `fd`; false if a write failed (e.g. EPIPE: the reader went away).
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

/// Print one readable line on stderr and exit.
func fail(_ message: String, code: Int32) -> Never {
    writeAll(2, Array("bexy: \(message)\n".utf8))
    exit(code)
}
