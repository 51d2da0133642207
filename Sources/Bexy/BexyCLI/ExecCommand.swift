import ArgumentParser
import Bexy
import BexyAudit
import Contracts
import FoundationEssentials
import Jail

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
        // A write to a closed pipe fails with EPIPE instead of killing bexy mid-job: the output relay and the stdin
        // pump stop on it. (The job itself starts with default signal dispositions.)
        signal(SIGPIPE, SIG_IGN)
        let configuration = CLIConfiguration.load()
        let request: ExecutionRequest
        let stdinSource: StdinSource
        do {
            (request, stdinSource) = try makeRequest(configuration)
        } catch let error as RequestRefusal {
            fail(error.description, code: 2)
        }
        let relay = json ? nil : OutputRelay()
        if let socket = configuration.settings.handoffSocket, HandoffRequest.canCarry(request) {
            switch ServiceHandoff.run(request, stdin: stdinSource.descriptor, json: json, socket: socket,
                                      sudoUser: configuration.sudoUser, settings: configuration.settings, relay: relay) {
            case .result(let report):
                relay?.drain()
                throw ExitCode(Self.finish(report))
            case .refused(let message): fail(message, code: 2)
            case .failed(let message):
                relay?.drain()
                fail(message, code: 125)
            case .declined: break
            }
        }
        let result = runCold(request, stdin: stdinSource, configuration: configuration, relay: relay)
        relay?.drain()  // the output comes before anything bexy says about the job
        if let artifactsDir, let collected = result.artifacts {
            do throws(ArtifactWriter.Failure) {
                try ArtifactWriter.write(collected, under: artifactsDir)
            } catch {
                fail("--artifacts-dir \(artifactsDir): \(error.message)", code: 125)
            }
        }
        throw ExitCode(Self.finish(CLIReport(result, json: json)))
    }

    /// Write `report` (after the job's output) and return its exit code.
    static func finish(_ report: CLIReport) -> Int32 {
        writeAll(1, report.stdout)
        writeAll(2, report.stderr)
        return report.exitCode
    }

    /// Run the job here, in a sandbox set up for it (no service took it).
    private func runCold(_ request: ExecutionRequest, stdin source: StdinSource, configuration: CLIConfiguration,
                         relay: OutputRelay?) -> ExecutionResult {
        var request = request
        if let descriptor = source.descriptor {
            do throws(JailError) {
                let pump = try StdinPump()
                request.stdin = .pipe(readEnd: pump.readEnd)
                try pump.start(from: descriptor, owned: source.owned, cap: configuration.stdinCap) {
                    writeAll(2, Array("bexy: \($0)\n".utf8))
                }
            } catch {
                fail("stdin: \(error)", code: 125)
            }
        }
        defer { if case .pipe(let readEnd) = request.stdin { close(readEnd) } }
        let engine: Engine
        do {
            let settings = configuration.settings
            engine = Engine(profiles: settings.profiles, sandboxConfiguration: settings.sandbox,
                            spool: try AuditSpool(path: settings.auditSpoolPath))
        } catch {
            fail("audit spool: \(error)", code: 125)
        }
        do {
            return try engine.execute(engine.prepare(request), output: relay?.handler)
        } catch let error as RequestRefusal {
            fail(error.description, code: 2)
        } catch {
            relay?.drain()  // the job ran, but its audit record could not be made durable
            fail("\(error)", code: 125)
        }
    }

    /// The request (its stdin still empty) and where the job's stdin comes from.
    private func makeRequest(_ configuration: CLIConfiguration) throws -> (ExecutionRequest, StdinSource) {
        let (script, arguments) = commandLine
        let program: [UInt8]
        if let code {
            program = Array(code.utf8)
        } else {
            program = script == "-" ? try readStandardInput() : try readFile(script ?? "", what: "script")
        }
        var overrides = LimitOverrides()
        overrides.timeoutMs = timeout.flatMap { try? LimitOverrides.timeoutMs(seconds: $0) }  // checked in validate()
        if let memory {
            do {
                overrides.memoryBytes = try ByteSize.parse(memory)
            } catch {
                throw RequestRefusal(field: "--memory", message: error.description)
            }
        }
        var jobFiles: [JobFile] = []
        for spec in files {
            let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let source = parts[0]
            let destination = parts.count > 1 ? parts[1] : String(source.split(separator: "/").last ?? "")
            guard !source.isEmpty, !destination.isEmpty else {
                throw RequestRefusal(field: "--file",
                                     message: "\"\(spec)\": expected SRC or SRC:DEST with both parts non-empty")
            }
            jobFiles.append(JobFile(path: try RelativePath(destination, refusedAs: "--file"),
                                    contents: try readFile(source, what: "--file")))
        }
        let limits = configuration.settings.project
        var projectCopy: ProjectCopy?
        if let project {
            do throws(ProjectError) {
                projectCopy = try ProjectCopy.read(project, limits: limits)
            } catch {
                throw RequestRefusal(field: "--project", message: "\(project): \(error.message)")
            }
        }
        let artifactPaths = try artifacts.map { path throws(RequestRefusal) in
            try RelativePath(path, refusedAs: "--artifact")
        }
        let source = try stdinSource(programFromStdin: code == nil && script == "-")
        return (ExecutionRequest(
            code: program, profile: profile, files: jobFiles, arguments: arguments, overrides: overrides,
            requester: CLIRequester.name(uid: getuid(), sudoUser: configuration.sudoUser), frontDoor: .cli, project: projectCopy,
            artifacts: artifactPaths.isEmpty ? nil : ArtifactRequest(paths: artifactPaths, maxBytes: limits.artifactBytes,
                                                                     totalBytes: limits.artifactsTotalBytes)),
                source)
    }

    /// Where the job's stdin comes from: `--stdin FILE`, else bexy's own stdin; none (an empty stdin) when the
    /// program came from stdin, when bexy has no stdin, or when it is the terminal of a background job (reading it
    /// would stop bexy with SIGTTIN).
    private func stdinSource(programFromStdin: Bool) throws -> StdinSource {
        if let stdin { return StdinSource(descriptor: try openFile(stdin, what: "--stdin"), owned: true) }
        return .ownStandardInput(programFromStdin: programFromStdin)
    }

    /// Open `path` for reading, refusing a directory; `what` names the option in the refusal.
    private func openFile(_ path: String, what: String) throws(RequestRefusal) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RequestRefusal(field: what, message: "\(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw RequestRefusal(field: what, message: "\(path): is a directory, expected a file")
        }
        return fd
    }

    private func readFile(_ path: String, what: String) throws -> [UInt8] {
        let fd = try openFile(path, what: what)
        defer { close(fd) }
        guard let bytes = readAll(fd) else {
            throw RequestRefusal(field: what, message: "\(path): \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    private func readStandardInput() throws -> [UInt8] {
        guard let bytes = readAll(0) else {
            throw RequestRefusal(field: "stdin", message: String(cString: strerror(errno)))
        }
        return bytes
    }
}

/// The descriptor a job's stdin is streamed from (`StdinPump` in the cold path, passed to the service in a
/// hand-off), nil for an empty stdin; `owned`: bexy opened it (`--stdin FILE`) and closes it after the copy.
struct StdinSource {
    var descriptor: Int32?
    var owned: Bool

    /// bexy's own stdin; none when the program came from it, when there is none, or when it is the terminal of a
    /// background job.
    static func ownStandardInput(programFromStdin: Bool) -> StdinSource {
        let noStdin = programFromStdin || fcntl(0, F_GETFD) < 0
        if noStdin || (isatty(0) == 1 && tcgetpgrp(0) != getpgrp()) { return StdinSource(descriptor: nil, owned: false) }
        return StdinSource(descriptor: 0, owned: false)
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
