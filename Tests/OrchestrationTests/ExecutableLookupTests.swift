import Foundation
import Orchestration
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where executables are found, and what a service whose executable is missing is reported as.
@Suite struct ExecutableLookupTests {
    /// Create `directory/name` with `mode`.
    private func makeFile(_ directory: String, _ name: String, mode: mode_t) {
        let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "cannot create \(directory)/\(name)")
        close(fd)
    }

    @Test func theFirstDirectoryHoldingAnExecutableFileWins() {
        let first = temporaryDirectory(prefix: "orchestration-bin")
        let second = temporaryDirectory(prefix: "orchestration-bin")
        defer { [first, second].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        makeFile(first, "bexy", mode: 0o644)      // not executable: passed over
        makeFile(second, "bexy", mode: 0o755)
        makeFile(first, "loglama", mode: 0o755)
        makeFile(second, "loglama", mode: 0o755)
        mkdir(first + "/apilama", 0o755)          // a directory: passed over
        let locator = ExecutableLocator(directories: [first, second])
        #expect(locator.locate("bexy") == second + "/bexy")
        #expect(locator.locate("loglama") == first + "/loglama")
        #expect(locator.locate("apilama") == nil)
    }

    @Test func theRunningBinarysDirectoryComesBeforePath() {
        let locator = ExecutableLocator.current(environment: ["PATH": "/usr/local/bin::/usr/bin"])
        #expect(locator.directories == [TestHost.binaryDirectory, "/usr/local/bin", "/usr/bin"])
    }

    @Test func aServiceWhoseExecutableIsMissingIsNotBuiltAndNotStarted() async throws {
        let ecosystem = try TestEcosystem()
        defer { ecosystem.tearDown() }
        let configuration = try PyLamaConfiguration.load(environment: ecosystem.environment,
                                                         localPath: ecosystem.directory + "/none.env")
        let empty = temporaryDirectory(prefix: "orchestration-bin")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let orchestrator = Orchestrator(configuration: configuration, environment: ecosystem.environment,
                                        locator: ExecutableLocator(directories: [empty]))
        #expect(orchestrator.state(of: "loglama") == .notBuilt)
        let reports = await orchestrator.start(try ServiceSelection.resolve(["loglama"]))
        #expect(reports.map(\.outcome) == [.notBuilt(reason: "`loglama` not found beside this binary or on PATH")])
        #expect(ecosystem.pid(of: "loglama") == nil)
    }
}
