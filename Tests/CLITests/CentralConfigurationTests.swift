import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy` reads its `BEXY_*` keys through one loader: the process environment over the central `.env`.
@Suite
struct CentralConfigurationTests {
    /// `BEXY_STATE_DIR` given only in the central file is where `bexy audit` opens the spool.
    @Test func stateDirectoryFromTheCentralFile() throws {
        let directory = CLI.makeTemporaryDirectory()
        let state = directory + "/state"
        let environment = try centralFileEnvironment(["BEXY_STATE_DIR": state], in: directory)
        let run = try CLI.run(["audit", "--json"], stateDirectory: nil, inherited: environment)
        #expect(run.status == 0, "\(run)")
        #expect(access(state + "/audit.db", F_OK) == 0, "no spool under the central file's BEXY_STATE_DIR")
    }

    /// A variable of the process environment wins over the central file.
    @Test func environmentOverTheCentralFile() throws {
        let directory = CLI.makeTemporaryDirectory()
        var environment = try centralFileEnvironment(["BEXY_STATE_DIR": directory + "/central"], in: directory)
        environment["BEXY_STATE_DIR"] = directory + "/environment"
        let run = try CLI.run(["audit", "--json"], stateDirectory: nil, inherited: environment)
        #expect(run.status == 0, "\(run)")
        #expect(access(directory + "/environment/audit.db", F_OK) == 0)
        #expect(access(directory + "/central", F_OK) != 0)
    }

    /// `BEXY_PROFILES_DIR` given only in the central file is where `bexy profiles` looks (here: an empty one).
    @Test func profilesDirectoryFromTheCentralFile() throws {
        let directory = CLI.makeTemporaryDirectory()
        let environment = try centralFileEnvironment(["BEXY_PROFILES_DIR": directory], in: directory)
        let run = try CLI.run(["profiles"], stateDirectory: nil, inherited: environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.split(separator: "\n").count == 1, "only the header expected:\n\(run)")
    }

    /// A malformed central file is one line naming the file and the line, exit 2.
    @Test func malformedCentralFile() throws {
        let directory = CLI.makeTemporaryDirectory()
        var environment = try centralFileEnvironment([:], in: directory)
        try Data("not a key value line\n".utf8).write(to: URL(fileURLWithPath: directory + "/central.env"))
        environment["PYLAMA_ENV"] = directory + "/central.env"
        let run = try CLI.run(["profiles"], stateDirectory: nil, inherited: environment)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(directory + "/central.env") && run.stderr.contains("line 1"), "\(run)")
    }

    /// `bexy exec` with `BEXY_STATE_DIR` only in the central file writes its audit record there.
    @Test(.enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
    func execAuditsUnderTheCentralStateDirectory() throws {
        let directory = CLI.makeTemporaryDirectory()
        let state = directory + "/state"
        let environment = try centralFileEnvironment(
            ["BEXY_STATE_DIR": state, "BEXY_PROFILES_DIR": TestHost.repositoryRoot + "/profiles"], in: directory)
        let run = try CLI.run(["exec", "-c", "print(6 * 7)"], stateDirectory: nil, inherited: environment)
        #expect(run.status == 0 && run.stdout == "42\n", "\(run)")
        let audit = try CLI.run(["audit", "--json"], stateDirectory: state)
        #expect(audit.stdout.split(separator: "\n").count == 1, "one record expected in \(state):\n\(audit)")
    }
}
