import Bexy
import BexyAudit
import Contracts
import Foundation
import ServiceHTTP
import TestSupport
import Testing
@testable import BexyService

/// A refused `POST /execute` body: checked by the translation and the engine, mapped to HTTP in one place
/// (`ServiceError(_:)`), naming the body's field. No server and no sandbox are needed.
@Suite struct RequestRefusalMappingTests {
    let engine: Engine

    init() throws {
        let spool = try AuditSpool(path: temporaryDirectory(prefix: "bexy-refusal-http") + "/audit.db")
        engine = Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), spool: spool)
    }

    /// The service error `json` is refused with.
    private func error(for json: String, limits: BexyServiceConfiguration.InputLimits = .init()) throws -> ServiceError? {
        let body = try JSONDecoder().decode(ExecuteRequestBody.self, from: Data(json.utf8))
        do throws(RequestRefusal) {
            _ = try engine.prepare(body.request(requester: "test", limits: limits))
            return nil
        } catch {
            return ServiceError(error)
        }
    }

    @Test func aTimeoutOverTheProfileIsRefusedInSecondsNamingALooserProfile() throws {
        let error = try #require(try error(for: #"{"code": "1", "timeout": 60}"#))
        #expect(error == ServiceError(
            status: .badRequest, code: "invalid_field",
            message: "`timeout` 60 s exceeds the strict profile's maximum of 10 s; the standard profile allows up to 30 s",
            field: "timeout"))
        let options = try #require(try self.error(for: #"{"code": "1", "options": {"timeout": 12}}"#))
        #expect(options.field == "options.timeout")
        #expect(options.message.hasPrefix("`options.timeout` 12 s exceeds"))
    }

    @Test func aMemoryLimitOverTheProfileIsRefusedInMiB() throws {
        let error = try #require(try error(for: #"{"code": "1", "options": {"memory_limit": 256}}"#))
        #expect(error.status == .badRequest && error.field == "options.memory_limit")
        #expect(error.message == "`options.memory_limit` 256 MiB exceeds the strict profile's maximum of 128 MiB; "
            + "the standard profile allows up to 512 MiB")
    }

    @Test func aNulByteInAnArgumentIs400NamingIt() throws {
        let error = try #require(try error(for: #"{"code": "1", "args": ["a", "b\u0000c"]}"#))
        #expect(error == ServiceError(status: .badRequest, code: "invalid_field",
                                      message: "`args[1]` must not contain a NUL byte", field: "args[1]"))
    }

    @Test func sizeAndProjectRefusalsKeepTheirStatuses() throws {
        let tooLarge = try #require(try error(for: #"{"code": "12345"}"#, limits: .init(codeBytes: 4)))
        #expect(tooLarge == ServiceError(status: .contentTooLarge, code: "payload_too_large",
                                         message: "`code` is 5 bytes, over the limit of 4 (BEXY_MAX_CODE_BYTES)",
                                         field: "code"))
        let project = try #require(try error(for: #"{"code": "1", "project": "/tmp"}"#))
        #expect(project.status == .forbidden && project.code == "project_not_allowed" && project.field == "project")
    }
}
