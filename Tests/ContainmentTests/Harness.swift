import Bexy
import BexyAudit
import Contracts
import Jail
import JailWarm
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The path a job ran on, as its result says it (Jail has a type of the same name for the sandbox's side).
typealias SandboxKind = Contracts.SandboxKind

/// Runs real jobs in real sandboxes for the containment tests, with a private audit spool.
struct Harness {
    static let stateDirectory = temporaryDirectory(prefix: "bexy-tests")

    static let spool: AuditSpool = try! AuditSpool(path: stateDirectory + "/audit.db")

    static let coldEngine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"),
                                   spool: spool)

    /// The warm path: bexy-zygote from this build (next to the test bundle), a small pool.
    static let warmEngine: Engine = {
        let warmPool = WarmPoolConfiguration(zygotePath: WarmPoolConfiguration.siblingZygotePath,
                                             maxIdlePerShape: 2, maxIdle: 4)
        let engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), warmPool: warmPool,
                            spool: spool)
        // Its ready sandboxes would otherwise outlive the test process as empty cgroups.
        atexit { Harness.warmEngine.shutdownWarmPool() }
        return engine
    }()

    /// Run `code` on the `sandbox` path and return the result. Records an issue if the job ran on the other
    /// path (a warm test that silently ran cold would prove nothing).
    static func run(_ code: String, profile: String = "strict", stdin: JobInput = .empty, files: [JobFile] = [],
                    arguments: [String] = [], overrides: LimitOverrides = LimitOverrides(),
                    requester: String = "tests", artifacts: ArtifactRequest? = nil,
                    sandbox: SandboxKind) throws -> ExecutionResult {
        let engine = sandbox == .warm ? warmEngine : coldEngine
        let result = try engine.execute(ExecutionRequest(
            code: Array(code.utf8), profile: profile, stdin: stdin, files: files,
            arguments: arguments, overrides: overrides, requester: requester, frontDoor: .cli, artifacts: artifacts))
        #expect(result.sandbox == sandbox, "ran \(result.sandbox.map(\.rawValue) ?? "no sandbox"), wanted \(sandbox)")
        return result
    }

    /// The audit record of an execution.
    static func auditRecord(_ id: String) throws -> AuditRecord? {
        try spool.list(limit: 100_000).first { $0.id == id }
    }

    /// Entries of a directory (names), or [] if it does not exist.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Read a whole host file as text.
    static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
