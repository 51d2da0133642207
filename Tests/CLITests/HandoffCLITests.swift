import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec` while a BEXY service runs on the host: the job runs in the service's warm pool, and everything the
/// caller sees (stdout, stderr, exit code, refusals, the audit record) is what the cold path gives.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups (bexy doctor)"))
struct HandoffCLITests {
    /// One command, its stdin, and how to compare the two runs.
    struct Scenario: CustomStringConvertible, Sendable {
        var arguments: [String]
        var stdin: String? = nil
        /// The stderr line bexy adds differs in measured numbers (a timeout's): compare its first words only.
        var stderrPrefix: String? = nil
        /// Refused before it runs (nothing reaches the service's scheduler).
        var refused = false
        var description: String { arguments.joined(separator: " ") }
    }

    static let scenarios: [Scenario] = [
        Scenario(arguments: ["-c", "print('hello')"]),
        Scenario(arguments: ["-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"]),
        Scenario(arguments: ["-c", "import sys; print(sys.stdin.read().upper(), end='')"], stdin: "ada\nbob\n"),
        Scenario(arguments: ["-c", "import sys; print(sys.argv[1:])", "a", "--b"]),
        Scenario(arguments: ["-"], stdin: "print(6 * 7)\n"),
        Scenario(arguments: ["-c", "raise ValueError('no')"]),
        Scenario(arguments: ["--timeout", "99", "-c", "print(1)"], refused: true),
        Scenario(arguments: ["--profile", "nonexistent", "-c", "print(1)"], refused: true),
        Scenario(arguments: ["--timeout", "0.5", "-c", "while True: pass"], stderrPrefix: "bexy: timeout"),
        Scenario(arguments: ["-c", "import os; os.kill(os.getpid(), 9)"]),
        Scenario(arguments: ["-c", "import socket; socket.create_connection(('1.1.1.1', 53), timeout=1)"]),
    ]

    @Test(arguments: scenarios)
    func theServiceGivesWhatTheColdPathGives(_ scenario: Scenario) async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        defer { server.stop() }
        let cold = try CLI.exec(scenario.arguments, stdin: scenario.stdin, stateDirectory: server.stateDirectory,
                                environment: ["BEXY_HANDOFF_SOCKET": "off"])
        #expect(try await server.executionsRun() == 0)
        let handedOff = try CLI.exec(scenario.arguments, stdin: scenario.stdin, stateDirectory: server.stateDirectory,
                                     environment: ["BEXY_HANDOFF_SOCKET": server.handoffSocket])
        #expect(try await server.executionsRun() == (scenario.refused ? 0 : 1), "the service ran the job")
        #expect(handedOff.status == cold.status && handedOff.killedBySignal == cold.killedBySignal,
                "cold:\n\(cold)\nhanded off:\n\(handedOff)")
        #expect(handedOff.stdout == cold.stdout, "cold:\n\(cold)\nhanded off:\n\(handedOff)")
        if let prefix = scenario.stderrPrefix {
            #expect(cold.stderr.hasPrefix(prefix) && handedOff.stderr.hasPrefix(prefix),
                    "cold:\n\(cold)\nhanded off:\n\(handedOff)")
        } else {
            #expect(handedOff.stderr == cold.stderr, "cold:\n\(cold)\nhanded off:\n\(handedOff)")
        }
    }

    @Test func aHandedOffJobRunsWarmAndIsAuditedAsTheCaller() async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        defer { server.stop() }
        let run = try CLI.exec(["--json", "-c", "print(1)"], stateDirectory: server.stateDirectory,
                               environment: ["BEXY_HANDOFF_SOCKET": server.handoffSocket])
        let result = try CLI.jsonObject(run)
        #expect(result["sandbox"] as? String == "warm", "the cold CLI never runs warm: \(run)")
        #expect(Set(result.keys) == CLI.resultKeys)
        let id = try #require(result["id"] as? String)
        let audit = try CLI.run(["audit", "--json"], stateDirectory: server.stateDirectory)
        let records = try audit.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let record = try #require(records.first { $0["id"] as? String == id }, "no audit record \(id):\n\(audit)")
        #expect(record["front_door"] as? String == "cli")
        let me = String(cString: getpwuid(getuid()).pointee.pw_name)
        #expect(record["requester"] as? String == "cli:" + me)
        #expect(record["status"] as? String == "ok")
    }

    /// A CLI whose settings differ from the service's (here its profiles) must not get the service's behaviour.
    @Test func aCLIWithOtherSettingsRunsCold() async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        defer { server.stop() }
        let profiles = CLI.makeTemporaryDirectory()
        for name in ["strict", "standard"] {
            try FileManager.default.copyItem(atPath: TestHost.repositoryRoot + "/profiles/\(name).json",
                                             toPath: profiles + "/\(name).json")
        }
        try FileManager.default.copyItem(atPath: TestHost.repositoryRoot + "/profiles/seccomp",
                                         toPath: profiles + "/seccomp")
        let run = try CLI.exec(["--json", "-c", "print(1)"], stateDirectory: server.stateDirectory,
                               environment: ["BEXY_HANDOFF_SOCKET": server.handoffSocket, "BEXY_PROFILES_DIR": profiles])
        #expect(try CLI.jsonObject(run)["sandbox"] as? String == "cold", "\(run)")
    }

    @Test func withTheServiceGoneTheCLIRunsCold() async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        server.stop()
        #expect(access(server.handoffSocket, F_OK) != 0, "a stopped service removes its socket")
        let run = try CLI.exec(["--json", "-c", "print(1)"], stateDirectory: server.stateDirectory,
                               environment: ["BEXY_HANDOFF_SOCKET": server.handoffSocket])
        #expect(run.status == 0, "\(run)")
        #expect(try CLI.jsonObject(run)["sandbox"] as? String == "cold", "\(run)")
    }

    /// The program answers the first line before the second is written, through the service too.
    @Test func stdinIsStreamedToAHandedOffJob() async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        defer { server.stop() }
        try StreamingCLITests.expectStdinStreamed(environment: ["BEXY_STATE_DIR": server.stateDirectory,
                                                                 "BEXY_HANDOFF_SOCKET": server.handoffSocket])
        #expect(try await server.executionsRun() == 1, "the service ran the job")
    }

    /// Killing the CLI mid-job cancels the job in the service, as killing the cold CLI ends its sandbox.
    @Test func aCLIThatGoesAwayCancelsItsJob() async throws {
        let server = try await BexyServerProcess.start(internalToken: "int_handoff_tests")
        defer { server.stop() }
        let bexy = try RunningCLI(["exec", "-c", "import time\nprint('started', flush=True)\ntime.sleep(30)"],
                                  environment: ["BEXY_STATE_DIR": server.stateDirectory,
                                                "BEXY_HANDOFF_SOCKET": server.handoffSocket])
        #expect(bexy.readLine() == "started")
        kill(bexy.pid, SIGKILL)
        _ = bexy.exitCode()
        var status: String?
        for _ in 0..<100 {
            let audit = try CLI.run(["audit", "--json", "--limit", "1"], stateDirectory: server.stateDirectory)
            let line = try #require(audit.stdout.split(separator: "\n").first, "no audit record:\n\(audit)")
            status = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["status"] as? String
            if status != "started" { break }
            usleep(100_000)
        }
        #expect(status == "cancelled")
    }
}
