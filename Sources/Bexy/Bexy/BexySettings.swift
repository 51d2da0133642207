import BexyAudit
import Jail
import JailWarm

/// The engine's configuration as plain values, built once by a front door (`bexy`, `bexy-server`) from its
/// configuration values (the process environment over the central `.env`); the engine itself reads no environment.
///
/// Keys, with today's defaults; a value that does not parse, or is out of range, leaves the default:
/// - `BEXY_PROFILES_DIR`: where profiles live (else `/etc/bexy/profiles`, else the source tree's `profiles/`;
///   see `ProfileStore.defaultDirectory(configured:)`).
/// - `BEXY_STATE_DIR` (`/var/lib/bexy`): holds the audit spool, `audit.db` (`AuditSpool.path(settings:)`).
/// - `BEXY_RUNTIME_DIR` (`/run/bexy`): slot locks and the jobs' mount points.
/// - `BEXY_UID_BASE` (2,000,000,000; only above 65535): the first host uid/gid jobs run as.
/// - `BEXY_MAX_SLOTS` (256; positive): how many jobs may run at once on this host.
/// - `BEXY_CGROUP` (`auto`): the cgroup hierarchy, `auto`, `v1` or `v2`.
/// - `BEXY_WARM` (on): `0`, `false`, `no` or `off` runs every job cold (no warm pool).
/// - `BEXY_ZYGOTE` (the `bexy-zygote` beside the executable): the warm pool's fork server.
/// - `BEXY_WARM_MAX_IDLE` (16; 0 or more), `BEXY_WARM_MAX_IDLE_PER_SHAPE` (4; 0 or more),
///   `BEXY_WARM_IDLE_SECONDS` (30; positive): the warm pool's size and idle timeout.
/// - `BEXY_MAX_PROJECT_BYTES`, `BEXY_MAX_PROJECT_FILES`, `BEXY_MAX_ARTIFACT_BYTES`, `BEXY_MAX_ARTIFACTS_BYTES`:
///   the project and artifact caps (`ProjectLimits.from`).
public struct BexySettings: Sendable {
    /// Where profiles are read from.
    public var profilesDirectory: String
    /// The audit spool's file.
    public var auditSpoolPath: String
    /// Host-side sandbox settings.
    public var sandbox: SandboxConfiguration
    /// The warm pool; nil: every job cold.
    public var warmPool: WarmPoolConfiguration?
    /// Caps on a project copied in and the artifacts copied out.
    public var project: ProjectLimits

    /// The settings `values` give (keys above); `zygotePath` is the warm pool's fork server unless `BEXY_ZYGOTE`
    /// names another.
    public init(values: [String: String], zygotePath: String = WarmPoolConfiguration.siblingZygotePath) {
        profilesDirectory = ProfileStore.defaultDirectory(configured: values["BEXY_PROFILES_DIR"])
        auditSpoolPath = AuditSpool.path(settings: values)
        sandbox = SandboxConfiguration()
        if let value = values["BEXY_RUNTIME_DIR"] { sandbox.runtimeDirectory = value }
        if let value = values["BEXY_UID_BASE"], let base = UInt32(value), base > 65535 { sandbox.uidBase = base }
        if let value = values["BEXY_MAX_SLOTS"], let count = Int(value), count > 0 { sandbox.maxSlots = count }
        if let value = values["BEXY_CGROUP"] { sandbox.cgroupMode = value }
        warmPool = Self.warmPool(values, zygotePath: zygotePath)
        project = ProjectLimits.from { values[$0] }
    }

    /// The warm pool's settings, nil when `BEXY_WARM` turns it off.
    private static func warmPool(_ values: [String: String], zygotePath: String) -> WarmPoolConfiguration? {
        if let warm = values["BEXY_WARM"], ["0", "false", "no", "off"].contains(warm.lowercased()) { return nil }
        var configuration = WarmPoolConfiguration(zygotePath: values["BEXY_ZYGOTE"] ?? zygotePath)
        if let text = values["BEXY_WARM_MAX_IDLE"], let n = Int(text), n >= 0 { configuration.maxIdle = n }
        if let text = values["BEXY_WARM_MAX_IDLE_PER_SHAPE"], let n = Int(text), n >= 0 {
            configuration.maxIdlePerShape = n
        }
        if let text = values["BEXY_WARM_IDLE_SECONDS"], let n = Int(text), n > 0 { configuration.idleTimeoutSeconds = n }
        return configuration
    }

    /// The profile store these settings name.
    public var profiles: ProfileStore { ProfileStore(directory: profilesDirectory) }
}
