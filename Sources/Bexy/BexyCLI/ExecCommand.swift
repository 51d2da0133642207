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
/// not be set up; 2 for a bad request.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a Python program in the sandbox.")

    @Option(help: "Sandbox profile (see `bexy profiles`).")
    var profile = "strict"

    @Flag(help: "Print exactly one JSON result object on stdout instead of passing the output through.")
    var json = false

    @Option(help: "File whose contents become the program's stdin.")
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

    @Argument(parsing: .captureForPassthrough, help: "SCRIPT (or - for stdin) and its arguments.")
    var scriptAndArguments: [String] = []

    func validate() throws {
        if code == nil && scriptAndArguments.isEmpty {
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

    func run() throws {
        let configuration = CLIConfiguration.load()
        let request: ExecutionRequest
        do {
            request = try makeRequest(configuration)
        } catch let error as RequestRefusal {
            fail(error.description, code: 2)
        }
        let engine: Engine
        do {
            let settings = configuration.settings
            engine = Engine(profiles: settings.profiles, sandboxConfiguration: settings.sandbox,
                            spool: try AuditSpool(path: settings.auditSpoolPath))
        } catch {
            fail("audit spool: \(error)", code: 125)
        }
        let result: ExecutionResult
        do {
            result = try engine.execute(request)
        } catch let error as RequestRefusal {
            fail(error.description, code: 2)
        } catch {
            fail("\(error)", code: 125)
        }
        if let artifactsDir, let collected = result.artifacts {
            do throws(ArtifactWriter.Failure) {
                try ArtifactWriter.write(collected, under: artifactsDir)
            } catch {
                fail("--artifacts-dir \(artifactsDir): \(error.message)", code: 125)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = (try? encoder.encode(result)) ?? Data()
            writeAll(1, Array(data) + [0x0a])
        } else {
            writeAll(1, Array(result.stdout.utf8))
            writeAll(2, Array(result.stderr.utf8))
            if result.status != .ok && result.status != .runtimeError, let message = result.errorMessage {
                writeAll(2, Array("bexy: \(result.status.rawValue): \(message)\n".utf8))
            }
        }
        throw ExitCode(Self.exitCode(for: result))
    }

    /// The CLI exit code of a result (see the type's documentation).
    static func exitCode(for result: ExecutionResult) -> Int32 {
        switch result.status {
        case .ok, .runtimeError: return Int32(result.exitCode ?? 1)
        case .timeout: return 124
        case .sandboxError: return 125
        case .syscallBlocked: return 128 + 31
        case .memoryLimit, .outputLimit, .signaled, .cancelled, .started, .interrupted:
            return 128 + Int32(result.signal ?? 9)
        }
    }

    private func makeRequest(_ configuration: CLIConfiguration) throws -> ExecutionRequest {
        var arguments = scriptAndArguments
        let program: [UInt8]
        if let code {
            program = Array(code.utf8)
        } else {
            let script = arguments.removeFirst()
            program = script == "-" ? try readStandardInput() : try readFile(script, what: "script")
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
        return ExecutionRequest(
            code: program, profile: profile, stdin: try stdin.map { try readFile($0, what: "--stdin") },
            files: jobFiles, arguments: arguments, overrides: overrides,
            requester: Self.requester(sudoUser: configuration.sudoUser), frontDoor: .cli, project: projectCopy,
            artifacts: artifactPaths.isEmpty ? nil : ArtifactRequest(paths: artifactPaths, maxBytes: limits.artifactBytes,
                                                                     totalBytes: limits.artifactsTotalBytes))
    }

    /// "cli:<user>", the sudo caller when there is one.
    static func requester(sudoUser: String?) -> String {
        if let sudoUser { return "cli:" + sudoUser }
        if let entry = getpwuid(getuid()) { return "cli:" + String(cString: entry.pointee.pw_name) }
        return "cli:uid-\(getuid())"
    }

    private func readFile(_ path: String, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RequestRefusal(field: what, message: "\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw RequestRefusal(field: what, message: "\(path): is a directory, expected a file")
        }
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

/// Write every byte to `fd`.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}

/// Print one readable line on stderr and exit.
func fail(_ message: String, code: Int32) -> Never {
    writeAll(2, Array("bexy: \(message)\n".utf8))
    exit(code)
}
