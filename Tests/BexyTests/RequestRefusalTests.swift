import BexyAudit
import Contracts
import Jail
import TestSupport
import Testing
@testable import Bexy

/// `Engine.prepare` refuses a bad request with one `RequestRefusal` naming the front door's field, in the
/// caller's units; nothing runs.
@Suite struct RequestRefusalTests {
    let engine: Engine

    init() throws {
        let spool = try AuditSpool(path: temporaryDirectory(prefix: "bexy-refusal") + "/audit.db")
        engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), spool: spool)
    }

    private func refusal(_ request: ExecutionRequest) -> RequestRefusal? {
        #expect(throws: RequestRefusal.self) { try engine.prepare(request) }
    }

    @Test func aTimeoutOverTheProfileIsRefusedInSecondsNamingALooserProfile() {
        let request = ExecutionRequest(code: [], overrides: LimitOverrides(timeoutMs: 60_000), requester: "test",
                                       frontDoor: .http)
        #expect(refusal(request) == RequestRefusal(
            field: "timeout", message: "60 s exceeds the strict profile's maximum of 10 s",
            hint: "the standard profile allows up to 30 s"))
    }

    @Test func aMemoryLimitOverTheProfileIsRefusedInMiBNamingTheProfileThatAllowsIt() {
        var request = ExecutionRequest(code: [], overrides: LimitOverrides(memoryBytes: 256 << 20), requester: "test",
                                       frontDoor: .cli)
        #expect(refusal(request)?.description
            == "--memory: 256 MiB exceeds the strict profile's maximum of 128 MiB; the standard profile allows up to 512 MiB")
        request.profile = "standard"
        request.overrides.memoryBytes = 1 << 30
        #expect(refusal(request)?.description
            == "--memory: 1024 MiB exceeds the standard profile's maximum of 512 MiB; requests may only tighten a profile's limits")
    }

    @Test func theFrontDoorsFieldNameIsUsed() {
        var request = ExecutionRequest(code: [], overrides: LimitOverrides(timeoutMs: 20_000), requester: "test",
                                       frontDoor: .http)
        request.fieldNames.timeout = "options.timeout"
        #expect(refusal(request)?.field == "options.timeout")
        request.frontDoor = .cli
        request.fieldNames = .cli
        #expect(refusal(request)?.field == "--timeout")
    }

    @Test(arguments: [AuditRecord.FrontDoor.http, .cli])
    func aNulByteInAnArgumentIsRefusedNamingIt(frontDoor: AuditRecord.FrontDoor) {
        let request = ExecutionRequest(code: [], arguments: ["ok", "a\0b"], requester: "test", frontDoor: frontDoor)
        let refused = refusal(request)
        #expect(refused?.field == (frontDoor == .http ? "args[1]" : "ARGS[1]"))
        #expect(refused?.message == "must not contain a NUL byte")
    }

    @Test func anUnsafePathIsRefusedNamingTheFrontDoorsField() throws {
        #expect(throws: RequestRefusal(field: "--artifact",
                                       message: "file path '../x' must be relative, without '.', '..' or empty parts")) {
            try RelativePath("../x", refusedAs: "--artifact")
        }
        #expect(try RelativePath("out/x.txt", refusedAs: "files").components == ["out", "x.txt"])
    }

    @Test func theScriptsNameIsReservedInFiles() {
        let request = ExecutionRequest(code: [], files: [JobFile(path: "main.py", contents: [])], requester: "test",
                                       frontDoor: .http)
        #expect(refusal(request)?.field == "files")
    }
}
