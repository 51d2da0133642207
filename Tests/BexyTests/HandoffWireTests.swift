import Bexy
import Contracts
import Foundation
import Jail
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The hand-off's wire pieces: frames over a real socket pair, the request's round trip, and its checks.
struct HandoffWireTests {
    @Test func framesArriveWholeAndInOrder() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        let big = [UInt8](repeating: 0x41, count: 300_000)  // more than one socket buffer: a reader thread is needed
        let sent = [HandoffFrame(.stdout, Array("out".utf8)), HandoffFrame(.stderr, []), HandoffFrame(.result, big)]
        let writer = fds[1]
        let thread = Thread {
            for frame in sent { try? LocalSocket.send(writer, frame.encoded) }
            close(writer)
        }
        thread.start()
        var received: [HandoffFrame] = []
        while let frame = try HandoffFrame.read(from: fds[0]) { received.append(frame) }
        #expect(received == sent)
    }

    @Test func aStreamThatEndsInsideAFrameIsAnError() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        try LocalSocket.send(fds[1], Array(HandoffFrame(.stdout, Array("hello".utf8)).encoded.prefix(7)))
        close(fds[1])
        #expect(throws: JailError.self) { try HandoffFrame.read(from: fds[0]) }
    }

    @Test func anUnknownKindIsAnError() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        try LocalSocket.send(fds[1], [99, 0, 0, 0, 0])
        close(fds[1])
        #expect(throws: JailError.self) { try HandoffFrame.read(from: fds[0]) }
    }

    @Test func aRequestSurvivesTheTripWithItsFilesAndLimits() throws {
        let settings = try BexySettings(values: ["BEXY_STATE_DIR": "/tmp/x", "BEXY_PROFILES_DIR": "/tmp/p"])
        var request = ExecutionRequest(code: [0xff, 0x00, 0x41], profile: "standard",
                                       files: [JobFile(path: try RelativePath("data/in.txt"), contents: Array("x".utf8))],
                                       arguments: ["a", "--b"], requester: "cli:someone", frontDoor: .cli)
        request.overrides.timeoutMs = 1500
        request.overrides.memoryBytes = 64 << 20
        let wire = HandoffRequest(request, stdin: true, json: true, sudoUser: "ada", settings: HandoffSettings(settings))
        let decoded = try #require(HandoffRequest(decoding: wire.encoded))
        #expect(decoded == wire)
        let back = try decoded.executionRequest(requester: "cli:root", stdin: .empty)
        #expect(back.code == request.code && back.profile == "standard" && back.arguments == ["a", "--b"])
        #expect(back.files == request.files)
        #expect(back.overrides.timeoutMs == 1500 && back.overrides.memoryBytes == 64 << 20)
        #expect(back.frontDoor == .cli && back.requester == "cli:root")
        #expect(decoded.settings.profilesDirectory == "/tmp/p" && decoded.settings.auditSpoolPath.hasPrefix("/tmp/x/"))
    }

    @Test func aFilePathTheCLIWouldRefuseIsRefusedAsTheCLINamesIt() throws {
        let settings = try BexySettings(values: [:])
        var wire = HandoffRequest(ExecutionRequest(code: [], requester: "x", frontDoor: .cli), stdin: false,
                                  json: false, sudoUser: nil, settings: HandoffSettings(settings))
        wire.files = [HandoffRequest.File(path: "../etc/passwd", contents: [])]
        #expect(throws: RequestRefusal.self) { try wire.executionRequest(requester: "cli:root", stdin: .empty) }
        do {
            _ = try wire.executionRequest(requester: "cli:root", stdin: .empty)
        } catch {
            #expect(error.field == "--file")
        }
    }

    /// A request cut short anywhere, or of another layout version, is not a request (the service declines it).
    @Test func aTruncatedOrForeignRequestIsNone() throws {
        let settings = try BexySettings(values: [:])
        let request = ExecutionRequest(code: Array("print(1)".utf8), arguments: ["x"], requester: "x", frontDoor: .cli)
        let bytes = HandoffRequest(request, stdin: false, json: false, sudoUser: "ada",
                                   settings: HandoffSettings(settings)).encoded
        for length in 0..<bytes.count {
            #expect(HandoffRequest(decoding: Array(bytes.prefix(length))) == nil, "cut at \(length)")
        }
        #expect(HandoffRequest(decoding: bytes + [0]) == nil, "a trailing byte")
        #expect(HandoffRequest(decoding: [2] + bytes.dropFirst()) == nil, "another version")
    }

    /// What the CLI prints for a result, made by the service and carried in a `result` frame.
    @Test func aReportIsWhatTheCLIPrints() throws {
        var result = ExecutionResult(
            id: "i", profile: "strict", status: .timeout, exitCode: nil, signal: 9, stdout: "a", stderr: "", stdoutTruncated: false,
            stderrTruncated: false, wallMs: 1, cpuMs: 1, peakMemoryBytes: nil, limitHit: "wall_time", blockedSyscall: nil,
            limits: nil, success: false, errorType: "TimeoutError", errorMessage: "past 1 s", output: "a", error: "")
        let timeout = CLIReport(result, json: false)
        #expect(timeout.exitCode == 124 && timeout.stdout.isEmpty)
        #expect(String(decoding: timeout.stderr, as: UTF8.self) == "bexy: timeout: past 1 s\n")
        #expect(CLIReport(decoding: timeout.encoded) == timeout)
        result.status = .ok
        result.exitCode = 0
        let json = CLIReport(result, json: true)
        #expect(json.exitCode == 0 && json.stderr.isEmpty && json.stdout.last == 0x0a)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        #expect(object["status"] as? String == "ok" && object["id"] as? String == "i")
        #expect(CLIReport(decoding: json.encoded) == json)
        #expect(CLIReport(decoding: Array(json.encoded.dropLast())) == nil)
    }

    @Test func onlyRootIsBelievedAboutSudo() {
        #expect(CLIRequester.name(uid: 0, sudoUser: "ada") == "cli:ada")
        #expect(CLIRequester.name(uid: 0, sudoUser: nil) == "cli:root")
        #expect(CLIRequester.name(uid: 65534, sudoUser: "ada") != "cli:ada")
        #expect(CLIRequester.name(uid: 3_999_999_999, sudoUser: nil) == "cli:uid-3999999999")
    }

    @Test func theSocketSettingIsAPathOrOff() throws {
        #expect(try BexySettings(values: ["BEXY_RUNTIME_DIR": "/run/x"]).handoffSocket == "/run/x/handoff.sock")
        #expect(try BexySettings(values: ["BEXY_HANDOFF_SOCKET": "off"]).handoffSocket == nil)
        #expect(try BexySettings(values: ["BEXY_HANDOFF_SOCKET": "/tmp/h.sock"]).handoffSocket == "/tmp/h.sock")
        #expect(throws: BexySettingsError.self) { try BexySettings(values: ["BEXY_HANDOFF_SOCKET": "h.sock"]) }
    }
}
