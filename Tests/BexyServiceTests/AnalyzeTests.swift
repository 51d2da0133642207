import Bexy
import BexyService
import Contracts
import ServiceHTTP
import Testing

extension BexyServiceTests {
    /// `POST /analyze`: a real analyzer job in the strict sandbox.
    @Suite struct Analyze {
        static let reportKeys: Set<String> = [
            "imports", "standard_library", "third_party", "unknown", "required_packages", "syntax_error", "warnings",
        ]

        private func analyze(_ server: LiveBexy, _ body: String,
                             headers: [(String, String)] = Harness.authorized) async throws -> Reply {
            try await server.client.send(.POST, port: server.port, path: "/analyze", body: body, headers: headers)
        }

        private func strings(_ value: JSONValue?) -> [String] { (value?.array ?? []).compactMap(\.string) }

        @Test func importsAreClassifiedAndACommentedImportIsIgnored() async throws {
            try await LiveBexy.run { server in
                let code = """
                    import os, json
                    # import numpy
                    from http.server import HTTPServer
                    import yaml
                    import notamodule_bexy_test.sub
                    from . import sibling
                    """
                let reply = try await analyze(server, json(["code": code]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json.keys == Self.reportKeys)
                #expect(reply.json["imports"]?.keys == ["os", "json", "http", "yaml", "notamodule_bexy_test"],
                        "numpy is commented out, a relative import has no root module")
                #expect(reply.json["imports"]?["http"]?.string == "standard_library")
                #expect(strings(reply.json["standard_library"]) == ["http", "json", "os"])
                #expect(strings(reply.json["third_party"]) == ["yaml"], "PyYAML is installed for /usr/bin/python3")
                #expect(strings(reply.json["unknown"]) == ["notamodule_bexy_test"])
                #expect(Set(strings(reply.json["required_packages"])) == ["PyYAML", "notamodule_bexy_test"])
                #expect(reply.json["syntax_error"] == .null)
                #expect(reply.json["warnings"]?.array.isEmpty == true)
            }
        }

        @Test func aSyntaxErrorHasItsLineAndColumn() async throws {
            try await LiveBexy.run { server in
                let reply = try await analyze(server, json(["code": "import os\n\ndef f(:\n    pass\n"]))
                #expect(reply.status == 200, "\(reply)")
                let error = try #require(reply.json["syntax_error"])
                #expect(error["line"]?.int == 3)
                #expect(error["column"]?.int == 7)
                #expect(error["message"]?.string?.isEmpty == false)
                #expect(reply.json["imports"]?.keys == [], "nothing is reported of code that does not parse")
            }
        }

        @Test func riskyConstructsAreWarnedAboutByLine() async throws {
            try await LiveBexy.run { server in
                let code = """
                    import subprocess, os, ctypes
                    eval('1')
                    os.system('ls')
                    open('/etc/passwd', 'w')
                    open('/tmp/scratch', 'w')
                    open('report.txt', 'w')
                    open('/etc/hostname').read()
                    import socket
                    """
                let reply = try await analyze(server, json(["code": code]))
                #expect(reply.status == 200, "\(reply)")
                let warnings = reply.json["warnings"]?.array ?? []
                let lines = warnings.compactMap { $0["line"]?.int }
                #expect(lines == [1, 1, 2, 3, 4, 8], "\(warnings)")
                let messages = warnings.compactMap { $0["message"]?.string }.joined(separator: "\n")
                for word in ["subprocess", "ctypes", "eval()", "os.system()", "/etc/passwd", "socket"] {
                    #expect(messages.contains(word), "no warning mentions \(word): \(messages)")
                }
            }
        }

        @Test func theAnalysisIsASandboxJobWithItsOwnAuditRecord() async throws {
            try await LiveBexy.run { server in
                let before = try server.auditRecords().count
                let code = "import sys\nprint('this must never run')\nsys.exit(7)\n"
                let reply = try await analyze(server, json(["code": code]),
                                              headers: Harness.authorized + [("X-PyLama-Requester", "analyst")])
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["imports"]?["sys"]?.string == "standard_library")
                let records = try server.auditRecords()
                #expect(records.count == before + 1)
                let record = try #require(records.first { $0.requester == "analyst" })
                #expect(record.profile == "strict")
                #expect(record.frontDoor == .http)
                #expect(record.status == .ok, "the analyzer ran; the analyzed code's sys.exit(7) did not")
                #expect(record.codeSha256 != AuditRecord.sha256Hex(Array(code.utf8)), "the job's program is the analyzer")
                #expect(record.hostUid != 0, "it ran as a sandbox identity")
            }
        }

        @Test func missingOrIllTypedCodeIs400AndOversizedCodeIs413() async throws {
            try await LiveBexy.run(limits: .init(codeBytes: 16)) { server in
                for (body, code) in [(#"{"stdin": "x"}"#, "missing_field"), (#"{"code": 5}"#, "invalid_field")] {
                    let reply = try await analyze(server, body)
                    #expect(reply.status == 400, "\(reply)")
                    #expect(reply.json.errorField == "code")
                    #expect(reply.json.errorCode == code)
                }
                let large = try await analyze(server, json(["code": String(repeating: "x", count: 17)]))
                #expect(large.status == 413, "\(large)")
                #expect(large.json.errorField == "code")
            }
        }
    }
}
