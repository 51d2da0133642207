import ArgumentParser
import Jail
import Orchestration
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `loglama check-deps [all|SERVICE] [--install]`: what each component needs, ok or missing with the fix.
struct CheckDepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-deps", abstract: "Check what each component needs; --install adds missing Debian packages.")

    @Argument(help: "all, or one service (loglama, bexy, ...).")
    var target = "all"

    @Flag(help: "Install missing Debian packages with apt-get.")
    var install = false

    func validate() throws {
        if target != "all" && Ecosystem.service(target) == nil {
            throw ValidationError("unknown service '\(target)'; known: all, "
                                  + Ecosystem.services.map(\.name).joined(separator: ", "))
        }
    }

    /// One line of the report.
    struct Check {
        var component: String
        var what: String
        var ok: Bool
        var fix: String
        /// The Debian package that provides it, when one does.
        var package: String?
    }

    func run() throws {
        let settings = try? PyLamaConfiguration.load()
        var checks: [Check] = []
        let wanted = target == "all" ? Ecosystem.services.map(\.name) : [target.lowercased()]
        let orchestrator = try? Orchestrator.forCommand()
        for name in wanted {
            if let port = try? settings?.port(of: name) ?? Ecosystem.service(name)?.defaultPort {
                checks.append(Self.portCheck(name, port: port, state: orchestrator?.state(of: name)))
            }
        }
        if wanted.contains("loglama") {
            checks.append(Self.library("loglama", "libsqlite3.so.0", package: "libsqlite3-0"))
        }
        if wanted.contains("bexy") {
            checks.append(Self.library("bexy", "libseccomp.so.2", package: "libseccomp2"))
            checks.append(Self.library("bexy", "libcap.so.2", package: "libcap2"))
            checks.append(Check(component: "bexy", what: "/usr/bin/python3", ok: access("/usr/bin/python3", X_OK) == 0,
                                fix: "apt-get install -y python3", package: "python3"))
            for feature in HostFeatures.probe().checks where feature.required {
                checks.append(Check(component: "bexy", what: feature.feature, ok: feature.ok, fix: feature.fix, package: nil))
            }
        }
        let missingPackages = checks.filter { !$0.ok }.compactMap(\.package)
        if install && !missingPackages.isEmpty {
            print("installing: \(missingPackages.joined(separator: " "))")
            let status = Self.shell("apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                                    + missingPackages.joined(separator: " "))
            if status != 0 { throw ExitCode(status) }
            return try run()
        }
        for check in checks {
            let state = check.ok ? "ok     " : "MISSING"
            print("\(check.component.padding(9)) \(state) \(check.what)" + (check.ok ? "" : "  (fix: \(check.fix))"))
        }
        if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    /// The service's port is usable: free, or held by the service itself (started by `loglama start-all`, its
    /// pid file naming a live process), which is the running stack, not a conflict.
    static func portCheck(_ name: String, port: Int, state: ServiceState?) -> Check {
        if Self.portIsFree(port) {
            return Check(component: name, what: "port \(port) free", ok: true, fix: "", package: nil)
        }
        if case .running(let record)? = state {
            return Check(component: name, what: "port \(port) in use by \(name) itself (pid \(record.pid))", ok: true,
                         fix: "", package: nil)
        }
        return Check(component: name, what: "port \(port) free", ok: false,
                     fix: "stop what listens on \(port) or set \(name.uppercased())_PORT", package: nil)
    }

    /// Whether the dynamic loader can find `soname`.
    static func library(_ component: String, _ soname: String, package: String) -> Check {
        let handle = dlopen(soname, RTLD_LAZY)
        if let handle { dlclose(handle) }
        return Check(component: component, what: soname, ok: handle != nil, fix: "apt-get install -y \(package)",
                     package: package)
    }

    /// Whether nothing listens on 127.0.0.1:`port` (a bind succeeds).
    static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Run `command` with /bin/sh, inheriting stdio; returns its exit status.
    static func shell(_ command: String) -> Int32 {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
