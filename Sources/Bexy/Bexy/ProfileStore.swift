import Contracts
import FoundationEssentials
import Jail

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads and validates profiles from a directory of JSON files.
///
/// Layout (see `profiles/README.md`):
///
///     <directory>/<name>.json            one profile per file; the file name is the profile's name
///     <directory>/seccomp/<policy>.json  seccomp policies, referenced by a profile's "seccomp" field
///
/// Validation is strict and fails closed: unknown keys, missing fields, wrong types, non-positive limits,
/// unsupported network modes and environment variables outside the allowlist are all rejected, and every
/// `ProfileError` names the offending field and file. Files are read on every call, so an edited profile takes
/// effect for the next job without a restart; a profile whose file and seccomp policy file hold the same bytes as
/// last time is not parsed again (`ProfileCache`: parsing cost ~0.5 ms per job).
public struct ProfileStore: Sendable {
    /// The directory holding `<name>.json` profiles and the `seccomp/` policies.
    public let directory: String
    private let cache = ProfileCache()

    /// A store reading profiles from `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// A store reading from `defaultDirectory()`.
    public init() {
        self.init(directory: ProfileStore.defaultDirectory())
    }

    /// Where profiles live, first match wins:
    ///
    /// 1. `configured` (a front door's `BEXY_PROFILES_DIR`), if given and not empty;
    /// 2. `/etc/bexy/profiles`, if it is a directory (installed deployments);
    /// 3. the `profiles/` directory of the source tree this binary was built from, found through `#filePath` at
    ///    build time. Bexy is built from source, so a `swift build` tree works without installing anything;
    ///    a binary moved to another machine must use 1 or 2.
    public static func defaultDirectory(configured: String? = nil) -> String {
        if let configured, !configured.isEmpty { return configured }
        if LocalFile.isDirectory("/etc/bexy/profiles") {
            return "/etc/bexy/profiles"
        }
        return sourceTreeDirectory()
    }

    /// `<repo>/profiles`, derived from this file's build-time path `<repo>/Sources/Bexy/Bexy/ProfileStore.swift`.
    static func sourceTreeDirectory() -> String {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(min(4, components.count))  // ProfileStore.swift, Bexy, Bexy, Sources
        return components.joined(separator: "/") + "/profiles"
    }

    /// The names of the profiles in the directory (`*.json` files with a valid profile name), sorted.
    ///
    /// Listing does not validate the files; `profile(named:)` does. A missing directory has no profiles.
    public func names() -> [String] {
        guard let entries = LocalFile.list(directory) else { return [] }
        return entries.compactMap { entry -> String? in
            guard entry.hasSuffix(".json") else { return nil }
            let name = String(entry.dropLast(5))
            guard ProfileStore.isValidName(name), LocalFile.isRegularFile("\(directory)/\(entry)") else { return nil }
            return name
        }.sorted()
    }

    /// Loads, validates and returns the profile `name`, with its seccomp policy resolved.
    ///
    /// - Throws: `ProfileError` naming the field at fault (`"name"` when the name is malformed or no such
    ///   profile exists).
    public func profile(named name: String) throws(ProfileError) -> Profile {
        guard ProfileStore.isValidName(name) else {
            throw ProfileError(
                field: "name", message: "invalid profile name \(ErrorText.quoted(name)): use only a-z, 0-9, _ and -",
                path: directory)
        }
        let path = "\(directory)/\(name).json"
        let bytes: [UInt8]
        switch LocalFile.contents(of: path) {
        case .success(let contents):
            bytes = contents
        case .failure(let error) where error.errno == ENOENT:
            let known = names()
            let hint = known.isEmpty ? "no profiles in \(directory)" : "known: \(known.joined(separator: ", "))"
            throw ProfileError(field: "name", message: "no profile named \(ErrorText.quoted(name)) (\(hint))", path: path)
        case .failure(let error):
            throw ProfileError(field: "", message: "cannot read: \(error.message)", path: path)
        }
        if let cached = cache.profile(named: name, bytes: bytes) { return cached }
        let parser = ProfileParser(path: path, directory: directory)
        let (profile, policy) = try parser.parse(bytes, expectedName: name)
        cache.store(profile, bytes: bytes, policy: policy)
        return profile
    }

    /// Whether `name` matches `[a-z0-9_-]+` (which also rules out path traversal).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

// MARK: - Parsing and validation

/// Turns one profile file into a `Profile`, naming the field of the first problem found.
struct ProfileParser {
    let path: String
    let directory: String

    static let topLevelKeys = ["name", "description", "python", "python_args", "hostname", "network", "seccomp",
                               "limits", "environment"]
    static let integerLimitKeys = ["wall_time_ms", "cpu_time_ms", "memory_bytes", "pids", "open_files",
                                   "file_size_bytes", "stack_bytes", "stdout_bytes", "stderr_bytes", "tmp_bytes",
                                   "workdir_bytes"]
    static let limitKeys = integerLimitKeys + ["cpus"]

    /// Environment variables a profile may set by exact name.
    static let allowedEnvironmentNames: Set<String> = [
        "PATH", "HOME", "LANG",
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    ]
    /// Environment variable prefixes a profile may set (`LC_ALL`, `PYTHONUNBUFFERED`, ...).
    static let allowedEnvironmentPrefixes = ["LC_", "PYTHON"]

    static func isAllowedEnvironmentName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy({ byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }) else { return false }
        if allowedEnvironmentNames.contains(name) { return true }
        return allowedEnvironmentPrefixes.contains { name.hasPrefix($0) && name.count > $0.count }
    }

    func error(_ field: String, _ message: String) -> ProfileError {
        ProfileError(field: field, message: message, path: path)
    }

    /// The profile in `bytes`, and the seccomp policy file it was made with (its path and the bytes read).
    func parse(_ bytes: [UInt8], expectedName: String) throws(ProfileError) -> (Profile, ProfileCache.PolicyFile) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw self.error("", "not valid JSON: \(ErrorText.describe(error))")
        }
        let top = try object(root, field: "")
        try rejectUnknownKeys(top, allowed: Self.topLevelKeys + Self.optionalTopLevelKeys, prefix: "")
        try requireKeys(top, Self.topLevelKeys, prefix: "")

        let name = try string(top["name"]!, field: "name")
        guard name == expectedName else {
            let fileName = ErrorText.quoted(expectedName + ".json")
            throw error("name", "\(ErrorText.quoted(name)) does not match the file name \(fileName)")
        }
        let description = try string(top["description"]!, field: "description")

        let python = try string(top["python"]!, field: "python")
        guard python.hasPrefix("/") else {
            throw error("python", "must be an absolute path, got \(ErrorText.quoted(python))")
        }
        let argValues = try array(top["python_args"]!, field: "python_args")
        var pythonArgs: [String] = []
        for (index, value) in argValues.enumerated() {
            pythonArgs.append(try string(value, field: "python_args[\(index)]"))
        }

        let hostname = try string(top["hostname"]!, field: "hostname")
        guard isValidHostname(hostname) else {
            throw error("hostname", "\(ErrorText.quoted(hostname)) is not a valid host name "
                + "(1-63 of a-z, A-Z, 0-9 and -, not starting or ending with -)")
        }

        let networkText = try string(top["network"]!, field: "network")
        guard let network = Profile.Network(rawValue: networkText) else {
            throw error("network", "\(ErrorText.quoted(networkText)) is not supported; the only network mode is \"none\"")
        }

        let limits = try parseLimits(top["limits"]!)
        let environment = try parseEnvironment(top["environment"]!)

        let policyName = try string(top["seccomp"]!, field: "seccomp")
        let (seccomp, policyFile) = try loadSeccompPolicy(policyName)

        return (Profile(name: name, description: description, python: python, pythonArgs: pythonArgs,
                        hostname: hostname, network: network, limits: limits, environment: environment,
                        seccompPolicyName: policyName, seccomp: seccomp, workspace: try parseWorkspace(top["workspace"])),
                policyFile)
    }

    func parseLimits(_ value: JSONValue) throws(ProfileError) -> ResourceLimits {
        let fields = try object(value, field: "limits")
        try rejectUnknownKeys(fields, allowed: Self.limitKeys, prefix: "limits.")
        try requireKeys(fields, Self.limitKeys, prefix: "limits.")
        var integers: [String: Int] = [:]
        for key in Self.integerLimitKeys {
            let field = "limits.\(key)"
            let number = try integer(fields[key]!, field: field)
            guard number > 0 else { throw error(field, "must be a positive integer, got \(number)") }
            integers[key] = number
        }
        let cpus: Double
        switch fields["cpus"]! {
        case .integer(let number): cpus = Double(number)
        case .double(let number): cpus = number
        case let other: throw error("limits.cpus", "must be a number, got \(other.typeName)")
        }
        guard cpus.isFinite, cpus > 0 else { throw error("limits.cpus", "must be a positive number, got \(cpus)") }
        return ResourceLimits(
            wallTimeMs: integers["wall_time_ms"]!, cpuTimeMs: integers["cpu_time_ms"]!,
            memoryBytes: integers["memory_bytes"]!, pids: integers["pids"]!, cpus: cpus,
            openFiles: integers["open_files"]!, fileSizeBytes: integers["file_size_bytes"]!,
            stackBytes: integers["stack_bytes"]!, stdoutBytes: integers["stdout_bytes"]!,
            stderrBytes: integers["stderr_bytes"]!, tmpBytes: integers["tmp_bytes"]!,
            workdirBytes: integers["workdir_bytes"]!)
    }

    func parseEnvironment(_ value: JSONValue) throws(ProfileError) -> [String: String] {
        let fields = try object(value, field: "environment")
        var environment: [String: String] = [:]
        for key in fields.keys.sorted() {
            let field = "environment.\(key)"
            guard Self.isAllowedEnvironmentName(key) else {
                throw error(field, "variable not allowed (allowed: PATH, HOME, LANG, LC_*, PYTHON*, "
                    + "OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS, NUMEXPR_NUM_THREADS, VECLIB_MAXIMUM_THREADS)")
            }
            environment[key] = try string(fields[key]!, field: field)
        }
        return environment
    }

    func loadSeccompPolicy(_ name: String) throws(ProfileError) -> (SeccompPolicy, ProfileCache.PolicyFile) {
        guard ProfileStore.isValidName(name) else {
            throw error("seccomp", "invalid policy name \(ErrorText.quoted(name)): use only a-z, 0-9, _ and -")
        }
        let policyPath = "\(directory)/seccomp/\(name).json"
        let bytes: [UInt8]
        switch LocalFile.contents(of: policyPath) {
        case .success(let contents):
            bytes = contents
        case .failure(let failure) where failure.errno == ENOENT:
            throw error("seccomp", "policy file \(policyPath) does not exist")
        case .failure(let failure):
            throw error("seccomp", "cannot read policy file \(policyPath): \(failure.message)")
        }
        do {
            return (try JSONDecoder().decode(SeccompPolicy.self, from: Data(bytes)),
                    ProfileCache.PolicyFile(path: policyPath, bytes: bytes))
        } catch let decoding as DecodingError {
            throw ProfileError(field: fieldName(of: decoding), message: ErrorText.describe(decoding), path: policyPath)
        } catch {
            throw ProfileError(field: "", message: "\(error)", path: policyPath)
        }
    }

    // MARK: Typed access

    func object(_ value: JSONValue, field: String) throws(ProfileError) -> [String: JSONValue] {
        guard case .object(let fields) = value else {
            throw error(field, "must be an object, got \(value.typeName)")
        }
        return fields
    }

    func array(_ value: JSONValue, field: String) throws(ProfileError) -> [JSONValue] {
        guard case .array(let items) = value else { throw error(field, "must be an array, got \(value.typeName)") }
        return items
    }

    func string(_ value: JSONValue, field: String) throws(ProfileError) -> String {
        guard case .string(let text) = value else { throw error(field, "must be a string, got \(value.typeName)") }
        guard !text.utf8.contains(0) else { throw error(field, "must not contain a NUL character") }
        return text
    }

    func integer(_ value: JSONValue, field: String) throws(ProfileError) -> Int {
        switch value {
        case .integer(let number):
            return Int(number)
        case .double(let number) where number.rounded() == number && abs(number) < 0x1p62:
            return Int(number)
        default:
            throw error(field, "must be an integer, got \(value.typeName)")
        }
    }

    func rejectUnknownKeys(_ fields: [String: JSONValue], allowed: [String], prefix: String) throws(ProfileError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw error(prefix + unknown, "unknown field")
        }
    }

    func requireKeys(_ fields: [String: JSONValue], _ keys: [String], prefix: String) throws(ProfileError) {
        if let missing = keys.first(where: { fields[$0] == nil }) {
            throw error(prefix + missing, "missing required field")
        }
    }

    func isValidHostname(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }

    // MARK: Decoding errors

    func fieldName(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return dotted(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return dotted(context.codingPath)
        @unknown default: return ""
        }
    }

    func dotted(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

// MARK: - Files

/// The few file operations profiles need, on plain POSIX calls (errno-precise messages, no Foundation).
enum LocalFile {
    /// A failed call's errno and its `strerror` text.
    struct Failure: Error {
        var errno: Int32
        var message: String { String(cString: strerror(errno)) }
    }

    /// Profiles and policies are small; anything bigger than this is a mistake (or `/dev/zero`).
    static let maximumSize = 1 << 20

    /// The contents of the regular file at `path`.
    static func contents(of path: String) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(errno: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(errno: errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(Failure(errno: EISDIR)) }
        guard Int(info.st_size) <= maximumSize else { return .failure(Failure(errno: EFBIG)) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(errno: errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= maximumSize else { return .failure(Failure(errno: EFBIG)) }
        }
        return .success(bytes)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The entry names of a directory (without `.` and `..`), or `nil` if it cannot be read.
    static func list(_ path: String) -> [String]? {
        guard let handle = opendir(path) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
