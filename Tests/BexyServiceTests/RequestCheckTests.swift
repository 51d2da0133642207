import Bexy
import BexyService
import Contracts
import ServiceHTTP
import TestSupport
import Testing

extension ScriptedServiceTests {
    /// How `POST /execute` refuses a request before anything runs: 400 naming the field, 413 over a cap.
    @Suite struct RequestChecks {
        @Test(arguments: [
            (#"{"stdin": "x"}"#, [], "code", "missing_field"),
            (#"{"code": 5}"#, [], "code", "invalid_field"),
            (#"{"code": "1", "args": ["a", 2]}"#, [], "args[1]", "invalid_field"),
            (#"{"code": "1", "files": {"a": 1}}"#, [], "files.a", "invalid_field"),
            (#"{"code": "1", "profile": "nope"}"#, [], "profile", "invalid_field"),
            (#"{"code": "1", "timeout": 1000}"#, [], "timeout", "invalid_field"),
            (#"{"code": "1", "timeout": -1}"#, [], "timeout", "invalid_field"),
            (#"{"code": "1", "options": {"timeout": 1000}}"#, [], "options.timeout", "invalid_field"),
            (#"{"code": "1", "options": {"memory_limit": 100000}}"#, [], "options.memory_limit", "invalid_field"),
            (#"{"code": "1", "options": {"memory_limit": 1}}"#, [], "options.memory_limit", "invalid_field"),
            (#"{"code": "1", "timeout": null}"#, [], "timeout", "invalid_field"),
            (#"{"code": "1", "options": {"timeout": null}}"#, [], "options.timeout", "invalid_field"),
            (#"{"code": "1", "options": {"memory_limit": null}}"#, [], "options.memory_limit", "invalid_field"),
            (#"{"code": "1", "options": null}"#, [], "options", "invalid_field"),
            (#"{"code": "1", "stdin": null}"#, [], "stdin", "invalid_field"),
            (#"{"code": "1", "files": {"../x": "y"}}"#, [], "files", "invalid_field"),
            (#"{"code": "1", "files": {"/etc/x": "y"}}"#, [], "files", "invalid_field"),
            (#"{"code": "1"}"#, [("X-PyLama-Requester", String(repeating: "a", count: 129))], "X-PyLama-Requester",
             "invalid_header"),
            (#"{"code": "1"}"#, [("X-PyLama-Requester", "tab\there")], "X-PyLama-Requester", "invalid_header"),
        ] as [(String, [(String, String)], String, String)])
        func badRequestsAre400NamingTheField(body: String, headers: [(String, String)], field: String,
                                             code: String) async throws {
            try await LiveBexy.run(script: scripts()) { server in
                let reply = try await server.execute(body, headers: Harness.authorized + headers)
                #expect(reply.status == 400, "\(reply)")
                #expect(reply.json["status"]?.string == "error")
                #expect(reply.json.errorField == field, "\(reply)")
                #expect(reply.json.errorCode == code, "\(reply)")
                #expect(reply.json["request_id"]?.string != nil)
                #expect(try server.auditRecords().isEmpty, "a refused request runs nothing")
            }
        }

        @Test func malformedJSONIs400() async throws {
            try await LiveBexy.run(script: scripts()) { server in
                let reply = try await server.execute(#"{"code": "#)
                #expect(reply.status == 400)
                #expect(reply.json.errorCode == "invalid_json")
            }
        }

        @Test func inputsOverTheirCapsAre413() async throws {
            let limits = BexyServiceConfiguration.InputLimits(codeBytes: 100, stdinBytes: 100, filesBytes: 100,
                                                              bodyBytes: 1000)
            try await LiveBexy.run(limits: limits, script: scripts()) { server in
                let big = String(repeating: "x", count: 101)
                for (body, field) in [(["code": "#" + big], "code"), (["code": "1", "stdin": big], "stdin"),
                                      (["code": "1", "files": ["a": big]], "files")] as [([String: Any], String)] {
                    let reply = try await server.execute(json(body))
                    #expect(reply.status == 413, "\(reply)")
                    #expect(reply.json.errorCode == "payload_too_large")
                    #expect(reply.json.errorField == field)
                }
                let reply = try await server.execute(json(["code": "1", "args": [String(repeating: "y", count: 2000)]]))
                #expect(reply.status == 413, "\(reply)")
                #expect(reply.json.errorCode == "payload_too_large")
                #expect(try server.auditRecords().isEmpty)
            }
        }
    }

    @Suite struct AuthHealthProfiles {
        @Test func everyRouteButHealthNeedsTheInternalToken() async throws {
            try await LiveBexy.run(script: scripts()) { server in
                for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "Basic \(Harness.token)")],
                                [("Authorization", "Bearer \(Harness.token)x")]] as [[(String, String)]] {
                    let execute = try await server.execute(json(["code": "print(1)"]), headers: headers)
                    #expect(execute.status == 401, "\(headers): \(execute)")
                    #expect(execute.json.errorCode == "unauthorized")
                    #expect(execute.headers.first(name: "WWW-Authenticate") == "Bearer")
                    let profiles = try await server.get("/profiles", headers: headers)
                    #expect(profiles.status == 401)
                }
                #expect(try server.auditRecords().isEmpty)
                let health = try await server.get("/health", headers: [])
                #expect(health.status == 200)
                let lowercase = try await server.execute(json(["code": "print(1)"]),
                                                         headers: [("Authorization", "bearer \(Harness.token)")])
                #expect(lowercase.status == 200)
            }
        }

        @Test func healthReportsTheSandboxAndTheScheduler() async throws {
            try await LiveBexy.run(slots: 3, queue: 5, script: scripts()) { server in
                let reply = try await server.get("/health", headers: [])
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["status"]?.string == "healthy")
                #expect(reply.json["service"]?.string == "bexy")
                #expect(reply.json["version"]?.string == Engine.version)
                #expect(reply.json["sandbox"]?["ok"]?.bool == true)
                #expect(reply.json["scheduler"]?["slots"]?.int == 3)
                #expect(reply.json["scheduler"]?["queue_capacity"]?.int == 5)
                #expect(reply.json["scheduler"]?["running"]?.int == 0)
            }
        }

        @Test func profilesListsEveryProfileWithItsLimits() async throws {
            try await LiveBexy.run(script: scripts()) { server in
                let reply = try await server.get("/profiles")
                #expect(reply.status == 200, "\(reply)")
                let profiles = reply.json["profiles"]?.array ?? []
                let names = Set(profiles.compactMap { $0["name"]?.string })
                #expect(names.isSuperset(of: ["strict", "standard"]), "\(names)")
                let strict = try #require(profiles.first { $0["name"]?.string == "strict" })
                #expect(strict["limits"]?["wall_time_ms"]?.int == 10_000)
                #expect(strict["limits"]?["memory_bytes"]?.int == 128 << 20)
                #expect(reply.json["invalid"]?.array.isEmpty == true)
            }
        }
    }
}
