import Bexy
import BexyAudit
import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// One `bexy exec` as plain values, however its command line was read (`ExecCommand` through ArgumentParser, or
/// `QuickExec` for the common lines), and what running it does: build the request, hand it to a BEXY service on this
/// host when one takes it (`ServiceHandoff`), else run it cold here, then print the report.
///
/// The values are already checked as the parsers check them (a positive timeout, a script or code); the rest
/// (files, sizes, the profile's limits) is checked here, each refusal one line naming the option, exit 2.
struct ExecInvocation {
    var profile = "strict"
    var json = false
    /// `--stdin FILE`.
    var stdin: String?
    /// `--file SRC[:DEST]`.
    var files: [String] = []
    /// `--timeout` in seconds.
    var timeout: Double?
    var memory: String?
    var code: String?
    var project: String?
    var artifacts: [String] = []
    var artifactsDir: String?
    /// The script's path (`-`: the program comes from stdin); nil with `code`.
    var script: String?
    /// The program's arguments.
    var arguments: [String] = []

    /// Run the job (handed to a service when one takes it, else cold) and return bexy's exit code; a refusal or a
    /// failure before the job ends exits with one line on stderr.
    func run() -> Int32 {
        // A write to a closed pipe fails with EPIPE instead of killing bexy mid-job: the output relay and the stdin
        // pump stop on it. (The job itself starts with default signal dispositions.)
        signal(SIGPIPE, SIG_IGN)
        let configuration = CLIConfiguration.load()
        let request: ExecutionRequest
        let stdinSource: StdinSource
        do {
            (request, stdinSource) = try makeRequest(configuration)
        } catch {
            fail(error.description, code: 2)
        }
        let relay = json ? nil : OutputRelay()
        if let socket = configuration.settings.handoffSocket, HandoffRequest.canCarry(request) {
            switch ServiceHandoff.run(request, stdin: stdinSource.descriptor, json: json, socket: socket,
                                      sudoUser: configuration.sudoUser, settings: configuration.settings, relay: relay) {
            case .result(let report):
                relay?.drain()
                return Self.finish(report)
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
        return Self.finish(CLIReport(result, json: json))
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
    private func makeRequest(_ configuration: CLIConfiguration) throws(RequestRefusal) -> (ExecutionRequest, StdinSource) {
        let program: [UInt8]
        if let code {
            program = Array(code.utf8)
        } else {
            program = script == "-" ? try readStandardInput() : try readFile(script ?? "", what: "script")
        }
        var overrides = LimitOverrides()
        overrides.timeoutMs = timeout.flatMap { try? LimitOverrides.timeoutMs(seconds: $0) }  // checked by the parser
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
    private func stdinSource(programFromStdin: Bool) throws(RequestRefusal) -> StdinSource {
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

    private func readFile(_ path: String, what: String) throws(RequestRefusal) -> [UInt8] {
        let fd = try openFile(path, what: what)
        defer { close(fd) }
        guard let bytes = readAll(fd) else {
            throw RequestRefusal(field: what, message: "\(path): \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    private func readStandardInput() throws(RequestRefusal) -> [UInt8] {
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
