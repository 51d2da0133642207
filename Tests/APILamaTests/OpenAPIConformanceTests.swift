import APILama
import NIOHTTP1
import ServiceHTTP
import TestSupport
import Testing

/// `GET /api/openapi.json` is kept true: real answers of a gateway in front of a live LogLama and a live SheLLama
/// (and a BEXY that is down) are checked against it, and every documented operation is exercised at least once.
@Suite struct OpenAPIConformanceTests {
    /// One request of the tour: the document's path template, the real path, and how to send it.
    struct Call {
        var method: HTTPMethod
        var template: String
        var path: String
        var token: String?
        var headers: [(String, String)] = []
        var body: String?
        var expected: Int
    }

    /// PyLLM's operations with PyLLM down (503 from the gateway), and a viewer refused a POST.
    static func pyllmCalls(user: String, viewer: String) -> [Call] {
        let posts = ["generate", "query", "code", "fix-code", "explain", "alternatives", "fix-and-run"]
        return posts.map { name in
            Call(method: .POST, template: "/api/getllm/\(name)", path: "/api/getllm/\(name)", token: user,
                 body: #"{"prompt": "x", "code": "x", "error_message": "e"}"#, expected: 503)
        } + [
            Call(method: .POST, template: "/api/getllm/generate", path: "/api/getllm/generate", token: viewer,
                 body: #"{"prompt": "x"}"#, expected: 403),
            Call(method: .GET, template: "/api/getllm/models", path: "/api/getllm/models", token: viewer, expected: 503),
            Call(method: .GET, template: "/api/getllm/health", path: "/api/getllm/health", token: viewer, expected: 503),
        ]
    }

    /// PyLama's operations with PyLama down.
    static func pylamaCalls(user: String, viewer: String) -> [Call] {
        [
            Call(method: .GET, template: "/api/pylama/health", path: "/api/pylama/health", token: viewer, expected: 503),
            Call(method: .GET, template: "/api/pylama/models", path: "/api/pylama/models", token: viewer, expected: 503),
            Call(method: .GET, template: "/api/pylama/models/{name}", path: "/api/pylama/models/x:1", token: viewer,
                 expected: 503),
            Call(method: .DELETE, template: "/api/pylama/models/{name}", path: "/api/pylama/models/x:1", token: viewer,
                 expected: 403),
            Call(method: .DELETE, template: "/api/pylama/models/{name}", path: "/api/pylama/models/x:1", token: user,
                 expected: 503),
        ] + ["models/pull", "models/default", "execute", "code"].map { name in
            Call(method: .POST, template: "/api/pylama/\(name)", path: "/api/pylama/\(name)", token: user,
                 body: #"{"name": "x", "markdown": "", "prompt": "x"}"#, expected: 503)
        }
    }

    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        try await withLogLama { logLamaPort in
          try await withSheLLama { shellamaPort, _ in
            try await withGateway(upstreams: ["loglama": logLamaPort, "shellama": shellamaPort],
                                  configure: { $0.maxBodyBytes = 4096 }) { gateway in
                let document = try #require(try await gateway.send(.GET, "/api/openapi.json").json)
                #expect(document["openapi"]?.string?.hasPrefix("3.") == true)
                let checker = OpenAPIChecker(document: document)

                let admin = Gateway.adminToken
                let user = try await gateway.token(.user, name: "user")
                let viewer = try await gateway.token(.viewer, name: "viewer")
                let login = try await gateway.send(.POST, "/api/session", body: #"{"token": "\#(viewer)"}"#)
                let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
                let web = ("Origin", "http://127.0.0.1:8081")
                let record = #"{"level": "INFO", "message": "conformance"}"#

                let calls: [Call] = [
                    Call(method: .GET, template: "/health", path: "/health", expected: 200),
                    Call(method: .GET, template: "/api/health", path: "/api/health", expected: 200),
                    Call(method: .GET, template: "/api/openapi.json", path: "/api/openapi.json", expected: 200),
                    Call(method: .POST, template: "/api/session", path: "/api/session",
                         body: #"{"token": "\#(admin)"}"#, expected: 200),
                    Call(method: .POST, template: "/api/session", path: "/api/session",
                         body: #"{"token": "plm_wrong"}"#, expected: 401),
                    Call(method: .POST, template: "/api/session", path: "/api/session", body: "[]", expected: 400),
                    Call(method: .POST, template: "/api/session", path: "/api/session",
                         headers: [("Origin", "https://evil.example")], body: #"{"token": "\#(admin)"}"#, expected: 403),
                    Call(method: .GET, template: "/signin", path: "/signin", expected: 200),
                    Call(method: .GET, template: "/web/", path: "/web/", expected: 503),  // WebLama is not running here
                    Call(method: .GET, template: "/api/session", path: "/api/session", headers: [("Cookie", cookie)],
                         expected: 200),
                    Call(method: .GET, template: "/api/session", path: "/api/session", token: user, expected: 200),
                    Call(method: .GET, template: "/api/session", path: "/api/session", expected: 401),
                    Call(method: .DELETE, template: "/api/session", path: "/api/session", expected: 401),
                    Call(method: .DELETE, template: "/api/session", path: "/api/session",
                         headers: [("Cookie", cookie)], expected: 403),
                    Call(method: .DELETE, template: "/api/session", path: "/api/session",
                         headers: [("Cookie", cookie), web], expected: 200),
                    Call(method: .GET, template: "/api/tokens", path: "/api/tokens", token: admin, expected: 200),
                    Call(method: .GET, template: "/api/tokens", path: "/api/tokens", expected: 401),
                    Call(method: .GET, template: "/api/tokens", path: "/api/tokens", token: viewer, expected: 403),
                    Call(method: .POST, template: "/api/tokens", path: "/api/tokens", token: admin,
                         body: #"{"name": "svc", "role": "viewer"}"#, expected: 201),
                    Call(method: .POST, template: "/api/tokens", path: "/api/tokens", token: admin,
                         body: #"{"name": "svc", "role": "viewer"}"#, expected: 409),
                    Call(method: .POST, template: "/api/tokens", path: "/api/tokens", token: admin,
                         body: #"{"name": "bad name", "role": "viewer"}"#, expected: 400),
                    Call(method: .POST, template: "/api/tokens", path: "/api/tokens", token: user,
                         body: #"{"name": "x", "role": "admin"}"#, expected: 403),
                    Call(method: .DELETE, template: "/api/tokens/{name}", path: "/api/tokens/svc", token: admin,
                         expected: 200),
                    Call(method: .DELETE, template: "/api/tokens/{name}", path: "/api/tokens/ghost", token: admin,
                         expected: 404),
                    Call(method: .DELETE, template: "/api/tokens/{name}", path: "/api/tokens/user", token: user,
                         expected: 403),
                    Call(method: .POST, template: "/api/bexy/execute", path: "/api/bexy/execute", token: user,
                         body: #"{"code": "print(1)"}"#, expected: 503),
                    Call(method: .POST, template: "/api/bexy/execute", path: "/api/bexy/execute",
                         body: #"{"code": "print(1)"}"#, expected: 401),
                    Call(method: .POST, template: "/api/bexy/execute", path: "/api/bexy/execute", token: viewer,
                         body: #"{"code": "print(1)"}"#, expected: 403),
                    Call(method: .POST, template: "/api/bexy/execute", path: "/api/bexy/execute", token: user,
                         body: String(repeating: " ", count: 5000), expected: 413),
                    Call(method: .POST, template: "/api/bexy/jobs", path: "/api/bexy/jobs", token: user,
                         body: #"{"code": "print(1)"}"#, expected: 503),
                    Call(method: .POST, template: "/api/bexy/jobs", path: "/api/bexy/jobs", token: viewer,
                         body: #"{"code": "print(1)"}"#, expected: 403),
                    Call(method: .GET, template: "/api/bexy/jobs/{id}", path: "/api/bexy/jobs/j1", token: viewer,
                         expected: 503),
                    Call(method: .GET, template: "/api/bexy/jobs/{id}/events", path: "/api/bexy/jobs/j1/events",
                         token: viewer, expected: 503),
                    Call(method: .DELETE, template: "/api/bexy/jobs/{id}", path: "/api/bexy/jobs/j1", token: viewer,
                         expected: 403),
                    Call(method: .DELETE, template: "/api/bexy/jobs/{id}", path: "/api/bexy/jobs/j1", token: user,
                         expected: 503),
                    Call(method: .GET, template: "/api/bexy/health", path: "/api/bexy/health", token: viewer,
                         expected: 503),
                    Call(method: .GET, template: "/api/bexy/profiles", path: "/api/bexy/profiles", token: viewer,
                         expected: 503),
                    Call(method: .GET, template: "/api/loglama/health", path: "/api/loglama/health", token: viewer,
                         expected: 200),
                    Call(method: .POST, template: "/api/loglama/api/logs", path: "/api/loglama/api/logs", token: user,
                         body: record, expected: 201),
                    Call(method: .POST, template: "/api/loglama/api/logs", path: "/api/loglama/api/logs", token: user,
                         body: #"{"message": "no level"}"#, expected: 400),
                    Call(method: .POST, template: "/api/loglama/api/logs", path: "/api/loglama/api/logs", token: user,
                         body: "[" + String(repeating: record + ",", count: 100) + record + "]", expected: 413),
                    Call(method: .GET, template: "/api/loglama/api/logs", path: "/api/loglama/api/logs", token: viewer,
                         expected: 200),
                    Call(method: .GET, template: "/api/loglama/api/logs", path: "/api/loglama/api/logs?page=zero",
                         token: viewer, expected: 400),
                    Call(method: .GET, template: "/api/loglama/api/audit", path: "/api/loglama/api/audit", token: viewer,
                         expected: 200),
                    Call(method: .GET, template: "/api/loglama/api/audit", path: "/api/loglama/api/audit?page=zero",
                         token: viewer, expected: 400),
                    Call(method: .GET, template: "/api/loglama/api/stats", path: "/api/loglama/api/stats", token: viewer,
                         expected: 200),
                    Call(method: .POST, template: "/api/loglama/api/audit", path: "/api/loglama/api/audit", token: admin,
                         body: "[]", expected: 200),
                    Call(method: .POST, template: "/api/loglama/api/audit", path: "/api/loglama/api/audit", token: user,
                         body: "[]", expected: 403),
                    Call(method: .POST, template: "/api/loglama/api/logs/clear", path: "/api/loglama/api/logs/clear",
                         token: user, body: "{}", expected: 403),
                    Call(method: .POST, template: "/api/loglama/api/logs/clear", path: "/api/loglama/api/logs/clear",
                         token: admin, body: "{}", expected: 200),
                ] + Self.pyllmCalls(user: user, viewer: viewer) + Self.pylamaCalls(user: user, viewer: viewer)
                    + Self.sheLLamaCalls(user: user, viewer: viewer)
                var exercised: Set<String> = []
                for call in calls {
                    let reply = try await gateway.send(call.method, call.path, token: call.token, headers: call.headers,
                                                       body: call.body)
                    #expect(reply.status == call.expected, "\(call.method) \(call.path): \(reply.status) \(reply.text)")
                    let problems = checker.problems(call.method.rawValue, call.template, status: reply.status,
                                                    body: reply.json)
                    #expect(problems.isEmpty, "\(problems)")
                    exercised.insert(call.method.rawValue + " " + call.template)
                }
                #expect(checker.operations.subtracting(exercised).isEmpty,
                        "documented but never checked: \(checker.operations.subtracting(exercised).sorted())")
            }
          }
        }
    }

    /// The tour of `/api/shellama/*`: the file routes for real, the shell and git routes answered 503 (BEXY down).
    static func sheLLamaCalls(user: String, viewer: String) -> [Call] {
        func call(_ method: HTTPMethod, _ template: String, _ query: String = "", token: String, body: String? = nil,
                  _ expected: Int) -> Call {
            Call(method: method, template: "/api/shellama" + template, path: "/api/shellama" + template + query,
                 token: token, body: body, expected: expected)
        }
        return [
            call(.GET, "/health", token: viewer, 200),
            call(.POST, "/file", token: user, body: #"{"filename": "a.txt", "content": "hi"}"#, 201),
            call(.POST, "/file", token: user, body: #"{"filename": "a.txt", "content": "hi"}"#, 409),
            call(.POST, "/file", token: viewer, body: #"{"filename": "b.txt", "content": "hi"}"#, 403),
            call(.POST, "/rename", token: user, body: #"{"from": "a.txt", "to": "r.txt"}"#, 200),
            call(.POST, "/rename", token: user, body: #"{"from": "a.txt", "to": "r.txt"}"#, 404),
            call(.POST, "/rename", token: viewer, body: #"{"from": "r.txt", "to": "a.txt"}"#, 403),
            call(.POST, "/rename", token: user, body: #"{"from": "r.txt", "to": "../a.txt"}"#, 403),
            call(.POST, "/rename", token: user, body: #"{"from": "r.txt", "to": "a.txt"}"#, 200),
            call(.GET, "/file", "?filename=a.txt", token: viewer, 200),
            call(.GET, "/file", "?filename=../a.txt", token: viewer, 403),
            call(.GET, "/file", "?filename=a%5Cb", token: viewer, 400),
            call(.GET, "/files", "?pattern=*.txt", token: viewer, 200),
            call(.DELETE, "/file", "?filename=a.txt", token: user, 200),
            call(.DELETE, "/file", "?filename=a.txt", token: user, 404),
            call(.POST, "/directory", token: user, body: #"{"path": "d/e"}"#, 201),
            call(.GET, "/directory", "?path=d", token: viewer, 200),
            call(.DELETE, "/directory", "?path=d", token: user, 409),
            call(.DELETE, "/directory", "?path=d&recursive=true", token: user, 200),
            call(.POST, "/shell", token: user, body: #"{"command": "true"}"#, 503),
            call(.POST, "/shell", token: viewer, body: #"{"command": "true"}"#, 403),
            call(.GET, "/git/status", token: viewer, 503),
            call(.POST, "/git/init", token: user, body: "{}", 503),
            call(.POST, "/git/commit", token: user, body: #"{"message": "m"}"#, 503),
            call(.GET, "/git/log", token: viewer, 503),
            call(.GET, "/git/diff", token: viewer, 503),
            call(.GET, "/git/show", "?commit=HEAD", token: viewer, 503),
        ]
    }

    /// A method the document does not list on a path it describes is 405 with `Allow`, before authentication;
    /// TRACE and CONNECT are 405 everywhere, never forwarded.
    @Test func anUndocumentedMethodIsNotAllowed() async throws {
        try await withGateway { gateway in
            let health = try await gateway.send(.POST, "/health", body: "{}")
            #expect(health.status == 405)
            #expect(health.header("Allow") == "GET, HEAD, OPTIONS")
            #expect(health.json?["error"]?["code"]?.string == "method_not_allowed")
            let execute = try await gateway.send(.GET, "/api/bexy/execute")
            #expect(execute.status == 405)
            #expect(execute.header("Allow") == "OPTIONS, POST")
            let job = try await gateway.send(.PUT, "/api/bexy/jobs/abc", body: "{}")
            #expect(job.header("Allow") == "DELETE, GET, HEAD, OPTIONS")
            for path in ["/signin", "/api/loglama/api/audit/1", "/nowhere"] {
                let trace = try await gateway.send(.TRACE, path)
                #expect(trace.status == 405, "TRACE \(path): \(trace.status)")
            }
            // Undocumented paths are still forwarded as before (here: to a BEXY that is down).
            let undocumented = try await gateway.send(.GET, "/api/bexy/metrics", token: Gateway.adminToken)
            #expect(undocumented.status == 503)
        }
    }

    /// The document is a resource file: its version must follow the gateway's.
    @Test func documentVersionIsTheGatewayVersion() async throws {
        try await withGateway { gateway in
            let document = try #require(try await gateway.send(.GET, "/api/openapi.json").json)
            #expect(document["info"]?["version"]?.string == APILamaService.version)
        }
    }

    @Test func aRateLimitedAnswerIsAsDocumented() async throws {
        try await withGateway(configure: { $0.rateLimit = RateLimit(perSecond: 0.01, burst: 1) }) { gateway in
            let checker = OpenAPIChecker(document: try #require(try await gateway.send(.GET, "/api/openapi.json").json))
            _ = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken, body: "{}")
            let limited = try await gateway.send(.POST, "/api/bexy/execute", token: Gateway.adminToken, body: "{}")
            #expect(limited.status == 429)
            #expect(checker.problems("POST", "/api/bexy/execute", status: 429, body: limited.json).isEmpty)
        }
    }
}
