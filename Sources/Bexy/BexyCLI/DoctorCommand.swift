import ArgumentParser
import Bexy
import BexyAudit
import Jail
import JailWarm

#if canImport(Glibc)
import Glibc
#endif

/// `bexy doctor`: what this host offers the sandbox, each feature ok or missing with the fix.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check this host's kernel features for the sandbox.")

    func run() throws {
        let features = HostFeatures.probe()
        var rows = [["FEATURE", "STATE", "DETAIL", "FIX"]]
        for check in features.checks {
            rows.append([check.feature, check.ok ? "ok" : (check.required ? "MISSING" : "degraded"), check.detail,
                         check.ok ? "" : check.fix])
        }
        let settings = CLIConfiguration.load().settings
        let configuration = settings.sandbox
        var cgroupsOK = false
        if configuration.cgroupMode != "v1", let placement = Cgroups.v2Placement() {
            rows += Self.placementRows(placement)
        }
        do throws(JailError) {
            let cgroups = try Cgroups.detect(mode: configuration.cgroupMode)
            let missing = cgroups.missingFeatures()
            cgroupsOK = missing.isEmpty
            rows.append(["cgroup \(cgroups.version.rawValue)", missing.isEmpty ? "ok" : "MISSING",
                         missing.isEmpty ? "memory (no swap), pids, cpu" : missing.map(\.feature).joined(separator: ", "),
                         missing.map(\.fix).joined(separator: "; ")])
            rows.append(["cgroup parent", "ok", cgroups.parentDirectories.joined(separator: " "), ""])
        } catch {
            rows.append(["cgroups", "MISSING", error.message, error.hint ?? ""])
        }
        let store = settings.profiles
        var pythonOK = true
        for name in store.names() {
            guard let profile = try? store.profile(named: name) else { continue }
            let ok = access(profile.python, X_OK) == 0
            pythonOK = pythonOK && ok
            rows.append(["python3 (\(name))", ok ? "ok" : "MISSING", Self.describePython(profile.python),
                         ok ? "" : "apt-get install -y python3"])
        }
        if getuid() == 0 && features.firstMissingRequirement() == nil && cgroupsOK {
            rows.append(Self.warmPathRow(settings))
        }
        let last = configuration.uidBase + UInt32(2 * configuration.maxSlots) - 1
        rows.append(["job id range", "ok", "host uids/gids \(configuration.uidBase)-\(last) (\(configuration.maxSlots) slots)",
                     ""])
        rows.append(["profiles", store.names().isEmpty ? "MISSING" : "ok", store.directory,
                     store.names().isEmpty ? "set BEXY_PROFILES_DIR" : ""])
        writeAll(1, Array(Table.render(rows).utf8))
        if features.firstMissingRequirement() != nil || !cgroupsOK || !pythonOK { throw ExitCode(1) }
    }

    /// Which v2 cgroup bexy would use (the root, or a delegated one it moves into a leaf of) and, per controller it
    /// needs, whether that cgroup may use it.
    static func placementRows(_ placement: CgroupV2Placement) -> [[String]] {
        let detail = placement.supervisorLeaf.map {
            "\(placement.own) (delegated; bexy moves to \($0), jobs in \(placement.jobsParent))"
        } ?? "\(placement.own) (root cgroup; jobs in \(placement.jobsParent))"
        var rows = [["cgroup v2 placement", "ok", detail, ""]]
        for controller in placement.controllers {
            rows.append(["cgroup v2 \(controller.name)", controller.delegated ? "ok" : "MISSING",
                         controller.delegated ? "delegated to \(placement.own)"
                             : "not in \(placement.own)/cgroup.controllers",
                         controller.delegated ? "" : CgroupV2Placement.delegationFix])
        }
        return rows
    }

    /// The warm path of `bexy serve` on this host: start its pool for the profiles (no job runs), wait for one
    /// ready sandbox, and report the idle cost. Warm is an optimisation: without it jobs run cold, so a problem
    /// here is "degraded", never a failure of the host check.
    static func warmPathRow(_ settings: BexySettings) -> [String] {
        // bexy serve runs bexy-server, whose sibling bexy-zygote is this binary's sibling too.
        guard let warm = settings.warmPool else {
            return ["warm path", "off", "BEXY_WARM=0: bexy serve runs every job cold", ""]
        }
        let module = warm.zygotePath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/") + "/libbexyzygote.so"
        for (path, product) in [(warm.zygotePath, "bexy-zygote"), (module, "bexyzygote")] where access(path, R_OK) != 0 {
            return ["warm path", "degraded", "\(path) is missing: bexy serve runs every job cold",
                    "swift build -c release --product \(product) (next to bexy-server)"]
        }
        guard let spool = try? AuditSpool(path: settings.auditSpoolPath) else { return ["warm path", "degraded", "cannot open the audit spool", ""] }
        let engine = Engine(profiles: settings.profiles, sandboxConfiguration: settings.sandbox, warmPool: warm,
                            spool: spool)
        defer { engine.shutdownWarmPool() }
        engine.prewarm()
        var statistics = engine.warmPoolStatistics ?? WarmPoolStatistics()
        for _ in 0..<100 where statistics.idleSandboxes == 0 && statistics.unavailableReason == nil {
            usleep(50_000)
            statistics = engine.warmPoolStatistics ?? statistics
        }
        if let reason = statistics.unavailableReason, statistics.idleSandboxes == 0 {
            return ["warm path", "degraded", reason, "rebuild bexy-zygote against this host's python3-dev"]
        }
        guard statistics.idleSandboxes > 0 else {
            return ["warm path", "degraded", "no sandbox became ready within 5 s", "check the kernel log"]
        }
        let mib = { (bytes: Int) in "\(bytes / 1_048_576).\(bytes % 1_048_576 * 10 / 1_048_576) MiB" }
        return ["warm path", "ok",
                "idle cost: \(statistics.zygotes) zygote(s) \(mib(statistics.zygoteResidentBytes)) resident, "
                    + "\(statistics.idleSandboxes) ready sandbox(es) \(mib(statistics.idleMemoryBytes)) charged, "
                    + "\(statistics.idleCgroups) cgroup dir(s)", ""]
    }

    /// "/usr/bin/python3 -> python3.11".
    static func describePython(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return path }
        return path + " -> " + String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
