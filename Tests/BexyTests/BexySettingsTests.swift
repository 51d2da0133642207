import BexyAudit
import Jail
import JailWarm
import Testing

@testable import Bexy

/// The engine's settings from a front door's values: every key, the defaults, invalid values refused by key.
@Suite struct BexySettingsTests {
    @Test func defaults() throws {
        let settings = try BexySettings(values: [:], zygotePath: "/opt/bexy-zygote")
        #expect(settings.profilesDirectory == ProfileStore.defaultDirectory())
        #expect(settings.auditSpoolPath == "/var/lib/bexy/audit.db")
        #expect(settings.sandbox.runtimeDirectory == "/run/bexy")
        #expect(settings.sandbox.uidBase == 2_000_000_000)
        #expect(settings.sandbox.maxSlots == 256)
        #expect(settings.sandbox.cgroupMode == "auto")
        #expect(settings.warmPool == WarmPoolConfiguration(zygotePath: "/opt/bexy-zygote"))
        #expect(settings.project == ProjectLimits())
    }

    @Test func everyKey() throws {
        let settings = try BexySettings(values: [
            "BEXY_PROFILES_DIR": "/srv/profiles", "BEXY_STATE_DIR": "/srv/state", "BEXY_RUNTIME_DIR": "/srv/run",
            "BEXY_UID_BASE": "100000", "BEXY_MAX_SLOTS": "8", "BEXY_CGROUP": "v1", "BEXY_ZYGOTE": "/srv/zygote",
            "BEXY_WARM_MAX_IDLE": "3", "BEXY_WARM_MAX_IDLE_PER_SHAPE": "0", "BEXY_WARM_IDLE_SECONDS": "9",
            "BEXY_MAX_PROJECT_FILES": "7", "BEXY_MAX_ARTIFACT_BYTES": "99",
        ], zygotePath: "/opt/bexy-zygote")
        #expect(settings.profilesDirectory == "/srv/profiles")
        #expect(settings.profiles.directory == "/srv/profiles")
        #expect(settings.auditSpoolPath == "/srv/state/audit.db")
        #expect(settings.sandbox.runtimeDirectory == "/srv/run")
        #expect(settings.sandbox.uidBase == 100_000)
        #expect(settings.sandbox.maxSlots == 8)
        #expect(settings.sandbox.cgroupMode == "v1")
        #expect(settings.warmPool == WarmPoolConfiguration(zygotePath: "/srv/zygote", maxIdlePerShape: 0, maxIdle: 3,
                                                          idleTimeoutSeconds: 9))
        #expect(settings.project.projectFiles == 7 && settings.project.artifactBytes == 99)
    }

    @Test func emptyDirectoriesMeanTheDefaults() throws {
        let settings = try BexySettings(values: ["BEXY_PROFILES_DIR": "", "BEXY_STATE_DIR": ""])
        #expect(settings.profilesDirectory == ProfileStore.defaultDirectory())
        #expect(settings.auditSpoolPath == AuditSpool.defaultPath)
    }

    /// A value that does not parse is refused naming its key, never replaced by the default in silence.
    @Test(arguments: [
        ("BEXY_UID_BASE", "1000"), ("BEXY_MAX_SLOTS", "0"), ("BEXY_MAX_SLOTS", "eight"), ("BEXY_WARM_MAX_IDLE", "-1"),
        ("BEXY_WARM_IDLE_SECONDS", "0"), ("BEXY_MAX_PROJECT_FILES", "many"), ("BEXY_CGROUP", "v3"), ("BEXY_WARM", "maybe"),
        ("BEXY_MAX_ARTIFACT_BYTES", "1M"),
    ])
    func anInvalidValueIsRefusedNamingItsKey(key: String, value: String) {
        #expect(throws: BexySettingsError.self) { try BexySettings(values: [key: value]) }
        do {
            _ = try BexySettings(values: [key: value])
        } catch {
            #expect(error.key == key && error.value == value)
            #expect(error.description.hasPrefix("\(key)='\(value)' is not valid: it must be "))
        }
    }

    @Test(arguments: ["0", "false", "NO", "off"])
    func warmOff(_ value: String) throws {
        #expect(try BexySettings(values: ["BEXY_WARM": value]).warmPool == nil)
    }

    @Test(arguments: ["1", "true", "ON"])
    func warmOn(_ value: String) throws {
        #expect(try BexySettings(values: ["BEXY_WARM": value]).warmPool != nil)
    }
}
