import APILama
import NIOHTTP1
import TestSupport
import Testing

/// BEXY's workspace routes are internal (SheLLama calls them with the internal token): the gateway answers 404
/// for them, to anyone, and never forwards them; `/api/shellama/*` follows the roles.
@Suite struct InternalRoutesTests {
    @Test(arguments: ["/api/bexy/workspace/execute", "/api/bexy/workspace/jobs", "/api/bexy//workspace/execute",
                      "/api/bexy/workspace", "/api/bexy/workspace/"])
    func bexysWorkspaceRoutesAre404AndNeverForwarded(_ path: String) async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["bexy": upstreamPort]) { gateway in
                let forwarded = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken, body: "{}")
                #expect(forwarded.status == 200 && forwarded.json?["path"]?.string == "/execute", "\(forwarded.text)")
                for token in [Gateway.adminToken, nil] {
                    let refused = try await gateway.send(.POST, path, token: token, body: #"{"command":"id"}"#)
                    expectEnvelope(refused, status: 404, code: "not_found")
                }
            }
        }
    }

    @Test func aViewerMayReadSheLLamaButNotWriteOrRun() async throws {
        try await withHTTPServer(TestUpstreams.recording()) { upstreamPort in
            try await withGateway(upstreams: ["shellama": upstreamPort]) { gateway in
                let viewer = try await gateway.token(.viewer, name: "vera")
                let user = try await gateway.token(.user, name: "ursula")
                #expect(try await gateway.send(.GET, "/api/shellama/files", token: viewer).status == 200)
                #expect(try await gateway.send(.GET, "/api/shellama/git/log", token: viewer).status == 200)
                for (method, path) in [(HTTPMethod.POST, "/api/shellama/file"), (.POST, "/api/shellama/shell"),
                                       (.DELETE, "/api/shellama/file?filename=a"), (.POST, "/api/shellama/git/commit")] {
                    expectEnvelope(try await gateway.send(method, path, token: viewer, body: "{}"), status: 403,
                                   code: "forbidden")
                    #expect(try await gateway.send(method, path, token: user, body: "{}").status == 200)
                }
            }
        }
    }
}

