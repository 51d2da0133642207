#if canImport(Glibc)
import Glibc
#endif

/// Where SheLLama's workspaces live and who owns them: read by SheLLama (which creates and writes them) and by
/// BEXY (which binds one into a workspace job and runs the job as its owner), so both sides agree.
///
/// Keys (central `.env`, see `PyLamaConfiguration`):
/// - `SHELLAMA_ROOT` (default `$HOME/.pylama/workspaces`): a workspace `name` is the directory `SHELLAMA_ROOT/name`.
/// - `SHELLAMA_UID`, `SHELLAMA_GID` (default 64999): the owner of every workspace directory and file; never 0.
public struct WorkspaceSettings: Sendable, Equatable {
    /// The default owner uid and gid.
    public static let defaultOwner: UInt32 = 64999
    /// The workspace a request that names none uses, created by `loglama init`.
    public static let defaultWorkspace = "default"

    /// The directory holding the workspaces.
    public var root: String
    /// The owner uid of every workspace directory and file.
    public var uid: UInt32
    /// The owner gid of every workspace directory and file.
    public var gid: UInt32

    public init(root: String, uid: UInt32 = defaultOwner, gid: UInt32 = defaultOwner) {
        self.root = root
        self.uid = uid
        self.gid = gid
    }

    /// The settings `configuration` gives.
    ///
    /// - Throws: naming the key when `SHELLAMA_ROOT` is not an absolute path or an owner id is not a whole number
    ///   in 1...4294967294.
    public init(configuration: PyLamaConfiguration) throws(ConfigurationError) {
        let root = configuration["SHELLAMA_ROOT"] ?? ""
        guard root.hasPrefix("/") else {
            throw ConfigurationError(key: "SHELLAMA_ROOT", path: configuration.centralPath,
                                     message: "'\(root)' is not an absolute path")
        }
        func owner(_ key: String) throws(ConfigurationError) -> UInt32 {
            guard let text = configuration[key], let id = UInt32(text), id != 0, id != UInt32.max else {
                throw ConfigurationError(key: key, path: configuration.centralPath,
                                         message: "'\(configuration[key] ?? "")' is not a uid/gid other than 0 (root)")
            }
            return id
        }
        self.init(root: root, uid: try owner("SHELLAMA_UID"), gid: try owner("SHELLAMA_GID"))
    }

    /// Whether `name` may name a workspace: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, name != ".", name != ".." else { return false }
        func allowed(_ byte: UInt8, first: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): !first
            default: false
            }
        }
        return allowed(first, first: true) && bytes.dropFirst().allSatisfy { allowed($0, first: false) }
    }

    /// Create the root (mode 0711, so the owner can reach its workspaces) and the workspace `name` (mode 0770,
    /// owned by `uid`/`gid`) when missing; an existing workspace keeps its contents. What `loglama init` runs for
    /// the default workspace. Needs the right to chown (root or CAP_CHOWN) unless the caller is the owner.
    ///
    /// - Returns: the workspace's path.
    /// - Throws: a `ConfigurationError` naming `SHELLAMA_ROOT` and the failing call.
    @discardableResult
    public func createWorkspace(_ name: String = defaultWorkspace) throws(ConfigurationError) -> String {
        guard Self.isValidName(name) else {
            throw ConfigurationError(key: nil, path: nil, message: "'\(name)' is not a valid workspace name")
        }
        var prefix = ""
        for component in root.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o711) != 0 && errno != EEXIST { throw failure("mkdir \(prefix)") }
        }
        let path = root + "/" + name
        if mkdir(path, 0o770) != 0 && errno != EEXIST { throw failure("mkdir \(path)") }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw failure("lstat \(path)") }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfigurationError(key: "SHELLAMA_ROOT", path: nil, message: "\(path) exists and is not a directory")
        }
        if info.st_uid != uid || info.st_gid != gid {
            guard lchown(path, uid, gid) == 0 else { throw failure("chown \(path) to \(uid):\(gid)") }
        }
        if info.st_mode & 0o7777 != 0o770 {
            guard chmod(path, 0o770) == 0 else { throw failure("chmod \(path)") }
        }
        return path
    }

    private func failure(_ call: String) -> ConfigurationError {
        ConfigurationError(key: "SHELLAMA_ROOT", path: nil, message: "\(call): \(String(cString: strerror(errno)))")
    }
}
