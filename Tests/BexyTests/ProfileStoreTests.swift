import Contracts
import FoundationEssentials
import Jail
import TestSupport
import Testing

@testable import Bexy

#if canImport(Glibc)
import Glibc
#endif

/// `<repo>/profiles`.
private let repoProfilesDirectory = TestHost.repositoryRoot + "/profiles"

private let expectedEnvironment: [String: String] = [
    "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/sandbox", "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONNOUSERSITE": "1", "PYTHONIOENCODING": "utf-8",
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
]

/// A temporary directory holding a valid profile `test` and a tiny seccomp policy `python`.
private final class ProfileFixture {
    let directory: String

    init() throws {
        directory = temporaryDirectory(prefix: "bexy-profiles")
        guard mkdir(directory + "/seccomp", 0o755) == 0 else { throw FixtureError("mkdir seccomp failed") }
        try write("seccomp/python.json", #"{"allow": ["read", "write", "exit_group"], "kill": ["ptrace"], "errno": {"clone3": "ENOSYS"}, "default_errno": "EPERM"}"#)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var store: ProfileStore { ProfileStore(directory: directory) }

    static func validProfile(name: String = "test") -> [String: JSONValue] {
        [
            "name": .string(name), "description": .string("a test profile"), "python": .string("/usr/bin/python3"),
            "python_args": .array([.string("-B")]), "hostname": .string("bexy"), "network": .string("none"),
            "seccomp": .string("python"),
            "limits": .object([
                "wall_time_ms": .integer(10000), "cpu_time_ms": .integer(5000), "memory_bytes": .integer(134_217_728),
                "pids": .integer(16), "cpus": .double(1.5), "open_files": .integer(64), "file_size_bytes": .integer(1_048_576),
                "stack_bytes": .integer(8_388_608), "stdout_bytes": .integer(1_048_576), "stderr_bytes": .integer(1_048_576),
                "tmp_bytes": .integer(16_777_216), "workdir_bytes": .integer(16_777_216),
            ]),
            "environment": .object(expectedEnvironment.mapValues { .string($0) }),
        ]
    }

    func writeProfile(_ profile: [String: JSONValue], as name: String = "test") throws {
        let data = try JSONEncoder().encode(profile)
        try write("\(name).json", String(decoding: data, as: UTF8.self))
    }

    func write(_ relativePath: String, _ text: String) throws {
        let path = "\(directory)/\(relativePath)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FixtureError("open \(path) failed") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw FixtureError("write \(path) failed")
        }
    }
}

private struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Sets `value` at a dotted `path` such as `limits.pids`; `nil` removes the key.
private func setting(_ profile: [String: JSONValue], _ path: String, _ value: JSONValue?) -> [String: JSONValue] {
    var copy = profile
    let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
    if parts.count == 1 {
        copy[parts[0]] = value
    } else if case .object(let inner) = copy[parts[0]] {
        copy[parts[0]] = .object(setting(inner, parts[1], value))
    }
    return copy
}

/// One invalid profile and the field its error must name.
struct InvalidProfileCase: Sendable, CustomTestStringConvertible {
    var label: String
    var field: String
    var profile: @Sendable () -> [String: JSONValue]
    var testDescription: String { label }

    init(_ label: String, field: String, _ path: String, _ value: JSONValue?) {
        self.label = label
        self.field = field
        profile = { setting(ProfileFixture.validProfile(), path, value) }
    }
}

@Suite struct ProfileStoreTests {
    @Test func repoStrictProfileHasTheDocumentedValues() throws {
        let store = ProfileStore(directory: repoProfilesDirectory)
        let strict = try store.profile(named: "strict")
        #expect(strict.name == "strict")
        #expect(strict.python == "/usr/bin/python3")
        #expect(strict.pythonArgs == ["-B"])
        #expect(strict.hostname == "bexy")
        #expect(strict.network == Profile.Network.none)
        #expect(strict.seccompPolicyName == "python")
        #expect(!strict.seccomp.allow.isEmpty)
        #expect(strict.environment == expectedEnvironment)
        #expect(strict.limits == ResourceLimits(
            wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
            fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
            tmpBytes: 16 << 20, workdirBytes: 16 << 20))
    }

    @Test func repoStandardProfileHasTheDocumentedValues() throws {
        let store = ProfileStore(directory: repoProfilesDirectory)
        let standard = try store.profile(named: "standard")
        let strict = try store.profile(named: "strict")
        #expect(standard.name == "standard")
        #expect(standard.limits == ResourceLimits(
            wallTimeMs: 30_000, cpuTimeMs: 15_000, memoryBytes: 512 << 20, pids: 64, cpus: 1.0, openFiles: 64,
            fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
            tmpBytes: 16 << 20, workdirBytes: 16 << 20))
        // Same isolation as strict.
        #expect(standard.network == strict.network)
        #expect(standard.seccomp == strict.seccomp)
        #expect(standard.environment == strict.environment)
        #expect(standard.python == strict.python)
        #expect(standard.pythonArgs == strict.pythonArgs)
        #expect(standard.hostname == strict.hostname)
    }

    @Test func repoNamesListsBothProfiles() {
        let names = ProfileStore(directory: repoProfilesDirectory).names()
        #expect(names.contains("strict"))
        #expect(names.contains("standard"))
        #expect(names == names.sorted())
    }

    @Test func sourceTreeDirectoryIsTheRepoProfilesDirectory() {
        #expect(ProfileStore.sourceTreeDirectory() == repoProfilesDirectory)
    }

    @Test func validProfileLoads() throws {
        let fixture = try ProfileFixture()
        var profile = ProfileFixture.validProfile()
        profile = setting(profile, "environment.LC_ALL", .string("C.UTF-8"))
        profile = setting(profile, "environment.PYTHONPATH", .string("/sandbox/lib"))
        try fixture.writeProfile(profile)
        let loaded = try fixture.store.profile(named: "test")
        #expect(loaded.limits.cpus == 1.5)
        #expect(loaded.environment["LC_ALL"] == "C.UTF-8")
        #expect(loaded.environment["PYTHONPATH"] == "/sandbox/lib")
        #expect(loaded.seccomp == SeccompPolicy(allow: ["read", "write", "exit_group"], kill: ["ptrace"],
                                                errno: ["clone3": "ENOSYS"], defaultErrno: "EPERM"))
    }

    @Test func namesSkipsOtherFiles() throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(ProfileFixture.validProfile())
        try fixture.write("README.md", "# not a profile")
        try fixture.write("Bad Name.json", "{}")
        #expect(fixture.store.names() == ["test"])
        #expect(ProfileStore(directory: fixture.directory + "/missing").names() == [])
    }

    static let invalidCases: [InvalidProfileCase] = [
        InvalidProfileCase("unknown limit key", field: "limits.memroy_bytes", "limits.memroy_bytes", .integer(1)),
        InvalidProfileCase("unknown top-level key", field: "netwrok", "netwrok", .string("none")),
        InvalidProfileCase("missing python", field: "python", "python", nil),
        InvalidProfileCase("missing description", field: "description", "description", nil),
        InvalidProfileCase("missing limits", field: "limits", "limits", nil),
        InvalidProfileCase("missing limit", field: "limits.pids", "limits.pids", nil),
        InvalidProfileCase("missing environment", field: "environment", "environment", nil),
        InvalidProfileCase("limit as string", field: "limits.memory_bytes", "limits.memory_bytes", .string("128M")),
        InvalidProfileCase("fractional limit", field: "limits.pids", "limits.pids", .double(1.5)),
        InvalidProfileCase("limits not an object", field: "limits", "limits", .array([])),
        InvalidProfileCase("python_args not an array", field: "python_args", "python_args", .string("-B")),
        InvalidProfileCase("python_args item", field: "python_args[0]", "python_args", .array([.integer(1)])),
        InvalidProfileCase("name not a string", field: "name", "name", .integer(1)),
        InvalidProfileCase("environment value", field: "environment.PATH", "environment.PATH", .integer(1)),
        InvalidProfileCase("zero memory", field: "limits.memory_bytes", "limits.memory_bytes", .integer(0)),
        InvalidProfileCase("negative pids", field: "limits.pids", "limits.pids", .integer(-1)),
        InvalidProfileCase("zero cpus", field: "limits.cpus", "limits.cpus", .double(0)),
        InvalidProfileCase("zero wall time", field: "limits.wall_time_ms", "limits.wall_time_ms", .integer(0)),
        InvalidProfileCase("host network", field: "network", "network", .string("host")),
        InvalidProfileCase("LD_PRELOAD", field: "environment.LD_PRELOAD", "environment.LD_PRELOAD", .string("x.so")),
        InvalidProfileCase("bare PYTHON", field: "environment.PYTHON", "environment.PYTHON", .string("1")),
        InvalidProfileCase("lowercase lc_all", field: "environment.lc_all", "environment.lc_all", .string("C")),
        InvalidProfileCase("name mismatch", field: "name", "name", .string("other")),
        InvalidProfileCase("relative python", field: "python", "python", .string("python3")),
        InvalidProfileCase("bad hostname", field: "hostname", "hostname", .string("bexy.local/x")),
        InvalidProfileCase("missing seccomp file", field: "seccomp", "seccomp", .string("nope")),
        InvalidProfileCase("seccomp traversal", field: "seccomp", "seccomp", .string("../../etc/passwd")),
    ]

    @Test(arguments: invalidCases)
    func invalidProfileIsRejectedNamingTheField(_ testCase: InvalidProfileCase) throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(testCase.profile())
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: "test") }
        #expect(error?.field == testCase.field)
        #expect(error?.path == "\(fixture.directory)/test.json")
        #expect(error?.description.contains(testCase.field) == true)
    }

    @Test func unknownKeyMessage() throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(setting(ProfileFixture.validProfile(), "limits.memroy_bytes", .integer(1)))
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: "test") }
        #expect(error?.description == "\(fixture.directory)/test.json: limits.memroy_bytes: unknown field")
    }

    @Test(arguments: ["../strict", "Strict", "", "a/b", "strict.json", "..", "x y"])
    func malformedProfileNameIsRejected(_ name: String) throws {
        let fixture = try ProfileFixture()
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: name) }
        #expect(error?.field == "name")
    }

    @Test func missingProfileNamesTheField() throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(ProfileFixture.validProfile())
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: "absent") }
        #expect(error?.field == "name")
        #expect(error?.message.contains("test") == true)  // lists the known profiles
    }

    @Test func invalidJSONIsRejected() throws {
        let fixture = try ProfileFixture()
        try fixture.write("test.json", "{\"name\": \"test\",")
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: "test") }
        #expect(error?.message.hasPrefix("not valid JSON") == true)
    }

    @Test func malformedSeccompPolicyNamesItsFieldAndFile() throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(ProfileFixture.validProfile())
        try fixture.write("seccomp/python.json", #"{"allow": ["read"], "errno": {}, "default_errno": "EPERM"}"#)
        let error = #expect(throws: ProfileError.self) { try fixture.store.profile(named: "test") }
        #expect(error?.field == "kill")
        #expect(error?.path == "\(fixture.directory)/seccomp/python.json")
    }

    /// Parsed profiles are reused only while both files hold the same bytes: an edit of either takes effect for the
    /// next lookup of the same store, and a broken edit is reported, not hidden behind the earlier parse.
    @Test func anEditedProfileOrPolicyTakesEffectForTheNextLookup() throws {
        let fixture = try ProfileFixture()
        try fixture.writeProfile(ProfileFixture.validProfile())
        let store = fixture.store
        let first = try store.profile(named: "test")
        #expect(try store.profile(named: "test") == first)
        var edited = ProfileFixture.validProfile()
        edited["hostname"] = .string("edited")
        try fixture.writeProfile(edited)
        #expect(try store.profile(named: "test").hostname == "edited")
        try fixture.write("seccomp/python.json", #"{"allow": ["read"], "kill": [], "errno": {}, "default_errno": "EPERM"}"#)
        #expect(try store.profile(named: "test").seccomp.allow == ["read"])
        try fixture.write("seccomp/python.json", #"{"allow": ["read"]}"#)
        #expect(throws: ProfileError.self) { try store.profile(named: "test") }
    }
}
