import APILama
import Bexy
import BexyAudit
import Foundation
import Jail
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Browser -> APILama -> BEXY -> sandbox -> audit, all real: the `bexy-server` binary runs jobs in real
/// sandboxes behind a live gateway.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct BexyEndToEndTests {
    @Test func codeRunsThroughTheGatewayAndIsAuditedUnderTheCallersName() async throws {
        let bexy = try await BexyServerProcess.start(internalToken: Gateway.internalToken)
        defer { bexy.stop() }
        try await withGateway(upstreams: ["bexy": bexy.port]) { gateway in
            let checker = OpenAPIChecker(document: try #require(try await gateway.send(.GET, "/api/openapi.json").json))
            let token = try await gateway.token(.user, name: "e2e-user")
            let program = #"{"code": "print(6 * 7)"}"#

            expectEnvelope(try await gateway.send(.POST, "/api/bexy/execute", body: program),
                           status: 401, code: "unauthorized")

            let ran = try await gateway.send(.POST, "/api/bexy/execute", token: token, body: program)
            #expect(ran.status == 200, "\(ran.text)")
            #expect(ran.json?["stdout"]?.string == "42\n")
            #expect(ran.json?["success"]?.bool == true)
            #expect(checker.problems("POST", "/api/bexy/execute", status: ran.status, body: ran.json).isEmpty)

            let failed = try await gateway.send(.POST, "/api/bexy/execute", token: token, body: #"{"code": "1/0"}"#)
            #expect(failed.status == 200, "\(failed.text)")
            #expect(failed.json?["success"]?.bool == false)
            #expect(failed.json?["error_type"]?.string == "ZeroDivisionError")

            for path in ["/api/bexy/health", "/api/bexy/profiles"] {
                let reply = try await gateway.send(.GET, path, token: token)
                #expect(reply.status == 200, "\(path): \(reply.text)")
                #expect(checker.problems("GET", path, status: reply.status, body: reply.json).isEmpty)
            }

            let ids = [ran, failed].compactMap { $0.json?["id"]?.string }
            let records = try AuditSpool(path: bexy.stateDirectory + "/audit.db").list(limit: 100)
            for id in ids {
                let matching = records.filter { $0.id == id }
                #expect(matching.count == 1, "audit records for \(id): \(matching.count)")
                #expect(matching.first?.requester == "e2e-user")
            }
        }
    }
}
