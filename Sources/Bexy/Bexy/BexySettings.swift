import BexyAudit
import Jail
import JailWarm

/// The engine's configuration as plain values, built once by a front door (`bexy`, `bexy-server`) from its
/// configuration values (the process environment over the central `.env`); the engine itself reads no environment.
///
/// Keys, with their defaults; a value that does not parse, or is out of range, is refused (`BexySettingsError`):
/// - `BEXY_PROFILES_DIR`: where profiles live (else `/etc/bexy/profiles`, else the source tree's `profiles/`;
///   see `ProfileStore.defaultDirectory(configured:)`).
/// - `BEXY_STATE_DIR` (`/var/lib/bexy`): holds the audit spool, `audit.db` (`AuditSpool.path(settings:)`).
/// - `BEXY_RUNTIME_DIR` (`/run/bexy`): slot locks and the jobs' mount points.
/// - `BEXY_HANDOFF_SOCKET` (`$BEXY_RUNTIME_DIR/handoff.sock`; `off` for none): where a running BEXY service takes
///   `bexy exec` jobs from the CLI (`HandoffFrame`), and where the CLI looks for one.
/// - `BEXY_UID_BASE` (2,000,000,000; only above 65535): the first host uid/gid jobs run as.
/// - `BEXY_MAX_SLOTS` (256; positive): how many jobs may run at once on this host.
/// - `BEXY_CGROUP` (`auto`): the cgroup hierarchy, `auto`, `v1` or `v2`.
/// - `BEXY_WARM` (on): `0`, `false`, `no` or `off` runs every job cold (no warm pool).
/// - `BEXY_ZYGOTE` (the `bexy-zygote` beside the executable): the warm pool's fork server.
/// - `BEXY_WARM_MAX_IDLE` (16; 0 or more), `BEXY_WARM_MAX_IDLE_PER_SHAPE` (4; 0 or more),
///   `BEXY_WARM_IDLE_SECONDS` (30; positive): the warm pool's size and idle timeout.
/// - `BEXY_MAX_STDIN_BYTES` (4 MiB; 0 or more): the most stdin a job is given (`bexy exec` closes the job's stdin
///   there; the service refuses a larger request `stdin` with 413).
/// - `BEXY_MAX_PROJECT_BYTES`, `BEXY_MAX_PROJECT_FILES`, `BEXY_MAX_ARTIFACT_BYTES`, `BEXY_MAX_ARTIFACTS_BYTES`:
///   the project and artifact caps (`ProjectLimits`; positive whole numbers).
/// - `SHELLAMA_ROOT` (`$HOME/.pylama/workspaces`, the central state directory's `workspaces`, as ServiceKit's
///   `PyLamaConfiguration` defaults it; absolute): SheLLama's workspaces, which workspace commands run in.
public struct BexySettings: Sendable {
    /// Where profiles are read from.
    public var profilesDirectory: String
    /// The audit spool's file.
    public var auditSpoolPath: String
    /// Host-side sandbox settings.
    public var sandbox: SandboxConfiguration
    /// The local socket of the hand-off (`HandoffFrame`); nil: none (`BEXY_HANDOFF_SOCKET=off`).
    public var handoffSocket: String?
    /// The warm pool; nil: every job cold.
    public var warmPool: WarmPoolConfiguration?
    /// Caps on a project copied in and the artifacts copied out.
    public var project: ProjectLimits
    /// The most bytes of stdin a job is given (`BEXY_MAX_STDIN_BYTES`).
    public var stdinBytes: Int
    /// SheLLama's workspaces (`SHELLAMA_ROOT`).
    public var workspaceRoot: WorkspaceRoot

    /// The default of `stdinBytes`: 4 MiB.
    public static let defaultStdinBytes = 4 << 20

    /// The settings `values` give (keys above); `zygotePath` is the warm pool's fork server unless `BEXY_ZYGOTE`
    /// names another.
    ///
    /// - Throws: `BexySettingsError` naming the first key whose value is not valid.
    public init(values: [String: String], zygotePath: String = WarmPoolConfiguration.siblingZygotePath)
        throws(BexySettingsError) {
        let read = SettingsReader(values: values)
        profilesDirectory = ProfileStore.defaultDirectory(configured: values["BEXY_PROFILES_DIR"])
        auditSpoolPath = AuditSpool.path(settings: values)
        sandbox = SandboxConfiguration()
        if let value = values["BEXY_RUNTIME_DIR"] { sandbox.runtimeDirectory = value }
        switch values["BEXY_HANDOFF_SOCKET"] {
        case "off": handoffSocket = nil
        case let path? where path.hasPrefix("/"): handoffSocket = path
        case let path?: throw BexySettingsError(key: "BEXY_HANDOFF_SOCKET", value: path,
                                                expected: "an absolute path, or off")
        case nil: handoffSocket = sandbox.runtimeDirectory + "/handoff.sock"
        }
        if let base = try read.integer("BEXY_UID_BASE", atLeast: 65536, atMost: Int(UInt32.max) - 65536) {
            sandbox.uidBase = UInt32(base)
        }
        if let count = try read.integer("BEXY_MAX_SLOTS", atLeast: 1) { sandbox.maxSlots = count }
        if let mode = try read.choice("BEXY_CGROUP", among: ["auto", "v1", "v2"]) { sandbox.cgroupMode = mode }
        warmPool = try Self.warmPool(read, zygotePath: zygotePath)
        var project = ProjectLimits()
        if let n = try read.integer("BEXY_MAX_PROJECT_BYTES", atLeast: 1) { project.projectBytes = n }
        if let n = try read.integer("BEXY_MAX_PROJECT_FILES", atLeast: 1) { project.projectFiles = n }
        if let n = try read.integer("BEXY_MAX_ARTIFACT_BYTES", atLeast: 1) { project.artifactBytes = n }
        if let n = try read.integer("BEXY_MAX_ARTIFACTS_BYTES", atLeast: 1) { project.artifactsTotalBytes = n }
        self.project = project
        stdinBytes = try read.integer("BEXY_MAX_STDIN_BYTES", atLeast: 0) ?? Self.defaultStdinBytes
        let home = values["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
        let root = values["SHELLAMA_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.pylama/workspaces"
        guard root.hasPrefix("/") else {
            throw BexySettingsError(key: "SHELLAMA_ROOT", value: root, expected: "an absolute path")
        }
        workspaceRoot = WorkspaceRoot(path: root)
    }

    /// The warm pool's settings, nil when `BEXY_WARM` turns it off.
    private static func warmPool(_ read: SettingsReader, zygotePath: String) throws(BexySettingsError)
        -> WarmPoolConfiguration? {
        let switches = ["0": false, "false": false, "no": false, "off": false, "1": true, "true": true, "yes": true,
                        "on": true]
        if let warm = try read.choice("BEXY_WARM", among: Array(switches.keys)), switches[warm] == false { return nil }
        var configuration = WarmPoolConfiguration(zygotePath: read.values["BEXY_ZYGOTE"] ?? zygotePath)
        if let n = try read.integer("BEXY_WARM_MAX_IDLE", atLeast: 0) { configuration.maxIdle = n }
        if let n = try read.integer("BEXY_WARM_MAX_IDLE_PER_SHAPE", atLeast: 0) { configuration.maxIdlePerShape = n }
        if let n = try read.integer("BEXY_WARM_IDLE_SECONDS", atLeast: 1) { configuration.idleTimeoutSeconds = n }
        return configuration
    }

    /// The profile store these settings name.
    public var profiles: ProfileStore { ProfileStore(directory: profilesDirectory) }
}

/// Reads typed values out of the configuration, refusing what does not parse.
private struct SettingsReader {
    let values: [String: String]

    /// `key` as a whole number in `atLeast...atMost`, nil when not set.
    func integer(_ key: String, atLeast minimum: Int, atMost maximum: Int = Int.max) throws(BexySettingsError) -> Int? {
        guard let text = values[key] else { return nil }
        guard let number = Int(text), number >= minimum, number <= maximum else {
            let range = maximum == Int.max ? "of at least \(minimum)" : "from \(minimum) to \(maximum)"
            throw BexySettingsError(key: key, value: text, expected: "a whole number \(range)")
        }
        return number
    }

    /// `key` lowercased, one of `choices`; nil when not set.
    func choice(_ key: String, among choices: [String]) throws(BexySettingsError) -> String? {
        guard let text = values[key] else { return nil }
        let value = text.lowercased()
        guard choices.contains(value) else {
            throw BexySettingsError(key: key, value: text, expected: "one of \(choices.sorted().joined(separator: ", "))")
        }
        return value
    }
}

