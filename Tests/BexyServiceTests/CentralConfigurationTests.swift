import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy-server` reads the engine's `BEXY_*` keys through the same loader as its own: the process environment
/// over the central `.env`.
@Suite
struct CentralConfigurationTests {
    /// `BEXY_STATE_DIR` given only in the central file is where the server opens its audit spool.
    @Test func stateDirectoryFromTheCentralFile() async throws {
        let directory = temporaryDirectory(prefix: "bexy-server-central")
        let state = directory + "/state"
        let environment = try centralFileEnvironment(
            ["BEXY_STATE_DIR": state, "BEXY_PROFILES_DIR": TestHost.repositoryRoot + "/profiles", "BEXY_WARM": "0",
             "PYLAMA_INTERNAL_TOKEN": "central-file-token", "LOGLAMA_URL": "http://127.0.0.1:9"],
            in: directory)
        var pid: pid_t = 0
        let rc = spawnAsFromLoginShell([TestHost.binary("bexy-server"), "--port", "0", "--no-forward"],
                                       environment: environment, stdin: "/dev/null", stdout: directory + "/stdout",
                                       stderr: directory + "/stderr", pid: &pid)
        try #require(rc == 0, "posix_spawn bexy-server: \(String(cString: strerror(rc)))")
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        var listening = false
        for _ in 0..<3000 where !listening {
            let output = (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? ""
            listening = output.contains("listening on")
            if !listening { try await Task.sleep(for: .milliseconds(10)) }
        }
        let errors = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
        #expect(listening, "bexy-server did not start:\n\(errors)")
        #expect(access(state + "/audit.db", F_OK) == 0, "no spool under the central file's BEXY_STATE_DIR")
    }
}
