import Bexy
import Contracts
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec --project DIR --artifact PATH --artifacts-dir OUT`: a CI test step as a black box.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct ProjectCLITests {
    /// The runner of the README's example: unittest over `tests/`, a JUnit-like report in `reports/`.
    static let runner = """
        import os, sys, unittest
        result = unittest.TextTestRunner(verbosity=2).run(unittest.defaultTestLoader.discover('tests'))
        os.makedirs('reports', exist_ok=True)
        with open('reports/junit.xml', 'w') as report:
            report.write('<testsuite tests="%d" failures="%d"/>' % (result.testsRun, len(result.failures)))
        sys.exit(0 if result.wasSuccessful() else 1)
        """

    /// A project with `calc.py`, a test of it (passing unless `failing`), and a symlink to /etc/passwd.
    static func makeProject(failing: Bool = false) throws -> String {
        let project = CLI.makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: project + "/tests", withIntermediateDirectories: true)
        try Data("def add(a, b):\n    return a + b\n".utf8).write(to: URL(fileURLWithPath: project + "/calc.py"))
        let test = """
            import unittest
            from calc import add

            class AddTest(unittest.TestCase):
                def test_add(self):
                    self.assertEqual(add(2, 2), \(failing ? 5 : 4))
            """
        try Data(test.utf8).write(to: URL(fileURLWithPath: project + "/tests/test_calc.py"))
        try FileManager.default.createSymbolicLink(atPath: project + "/secrets", withDestinationPath: "/etc/passwd")
        return project
    }

    @Test func aPassingTestStepExitsZeroAndItsReportIsCollected() throws {
        let project = try Self.makeProject()
        let out = CLI.makeTemporaryDirectory() + "/artifacts"
        let run = try CLI.exec(["--project", project, "--artifact", "reports/junit.xml", "--artifact", "secrets",
                                "--artifact", "missing.txt", "--artifacts-dir", out, "--json", "-c", Self.runner])
        #expect(run.status == 0, "\(run)")
        let result = try CLI.jsonObject(run)
        #expect((result["stderr"] as? String)?.contains("test_add") == true, "\(result)")
        let written = try String(contentsOfFile: out + "/reports/junit.xml", encoding: .utf8)
        #expect(written == #"<testsuite tests="1" failures="0"/>"#)
        let artifacts = try #require(result["artifacts"] as? [[String: Any]])
        #expect(artifacts.compactMap { $0["path"] as? String } == ["reports/junit.xml", "secrets", "missing.txt"])
        let digest = AuditRecord.sha256Hex(Array(written.utf8))
        #expect(artifacts[0]["sha256"] as? String == digest)
        #expect(artifacts[0]["bytes"] as? Int == written.utf8.count)
        #expect((artifacts[1]["error"] as? String)?.isEmpty == false, "the project's symlink was never copied in")
        #expect((artifacts[2]["error"] as? String)?.contains("no such file") == true)
        #expect(access(out + "/secrets", F_OK) != 0 && access(out + "/missing.txt", F_OK) != 0)
        let skipped = try #require(result["project_skipped"] as? [[String: Any]])
        #expect(skipped.compactMap { $0["path"] as? String } == ["secrets"])
    }

    @Test func aFailingTestStepExitsOneAndStillHasItsReport() throws {
        let project = try Self.makeProject(failing: true)
        let out = CLI.makeTemporaryDirectory()
        let run = try CLI.exec(["--project", project, "--artifact", "reports/junit.xml", "--artifacts-dir", out,
                                "-c", Self.runner])
        #expect(run.status == 1 && !run.killedBySignal, "\(run)")
        #expect(run.stderr.contains("FAILED"), "the test log is passed through: \(run)")
        let written = try String(contentsOfFile: out + "/reports/junit.xml", encoding: .utf8)
        #expect(written == #"<testsuite tests="1" failures="1"/>"#)
    }

    @Test func projectCapsAndBadArtifactPathsAreRequestErrors() throws {
        let project = try Self.makeProject()
        let tooMany = try CLI.exec(["--project", project, "-c", "print(1)"],
                                   environment: ["BEXY_MAX_PROJECT_FILES": "1"])
        #expect(tooMany.status == 2, "\(tooMany)")
        #expect(tooMany.stderr.contains("--project") && tooMany.stderr.contains("BEXY_MAX_PROJECT_FILES"))
        let missing = try CLI.exec(["--project", project + "/absent", "-c", "print(1)"])
        #expect(missing.status == 2, "\(missing)")
        let unsafe = try CLI.exec(["--artifact", "../x", "-c", "print(1)"])
        #expect(unsafe.status == 2, "\(unsafe)")
        #expect(unsafe.stderr.contains("--artifact:"), "\(unsafe)")
        let noArtifact = try CLI.exec(["--artifacts-dir", "/tmp/x", "-c", "print(1)"])
        #expect(noArtifact.status != 0 && noArtifact.stderr.contains("--artifact"), "\(noArtifact)")
    }
}
