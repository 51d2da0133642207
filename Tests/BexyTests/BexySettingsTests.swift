import BexyAudit
import Jail
import JailWarm
import Testing

@testable import Bexy

/// The engine's settings from a front door's values: every key, today's defaults, invalid values ignored.
@Suite struct BexySettingsTests {
    @Test func defaults() {
        let settings = BexySettings(values: [:], zygotePath: "/opt/bexy-zygote")
        #expect(settings.profilesDirectory == ProfileStore.defaultDirectory())
        #expect(settings.auditSpoolPath == "/var/lib/bexy/audit.db")
        #expect(settings.sandbox.runtimeDirectory == "/run/bexy")
        #expect(settings.sandbox.uidBase == 2_000_000_000)
        #expect(settings.sandbox.maxSlots == 256)
        #expect(settings.sandbox.cgroupMode == "auto")
        #expect(settings.warmPool == WarmPoolConfiguration(zygotePath: "/opt/bexy-zygote"))
        #expect(settings.project == ProjectLimits())
    }

    @Test func everyKey() {
        let settings = BexySettings(values: [
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

    @Test func invalidValuesKeepTheDefaults() {
        let settings = BexySettings(values: [
            "BEXY_PROFILES_DIR": "", "BEXY_STATE_DIR": "", "BEXY_UID_BASE": "1000", "BEXY_MAX_SLOTS": "0",
            "BEXY_WARM_MAX_IDLE": "-1", "BEXY_WARM_IDLE_SECONDS": "0", "BEXY_MAX_PROJECT_FILES": "many",
        ], zygotePath: "/opt/bexy-zygote")
        #expect(settings.profilesDirectory == ProfileStore.defaultDirectory())
        #expect(settings.auditSpoolPath == AuditSpool.defaultPath)
        #expect(settings.sandbox.uidBase == 2_000_000_000 && settings.sandbox.maxSlots == 256)
        #expect(settings.warmPool == WarmPoolConfiguration(zygotePath: "/opt/bexy-zygote"))
        #expect(settings.project == ProjectLimits())
    }

    @Test(arguments: ["0", "false", "NO", "off"])
    func warmOff(_ value: String) {
        #expect(BexySettings(values: ["BEXY_WARM": value]).warmPool == nil)
    }
}
