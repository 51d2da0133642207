import Contracts
import Foundation
import NIOHTTP1
import SheLLama
import TestSupport
import Testing

/// The original contract's file and directory routes over real HTTP on loopback.
@Suite struct FileRoutesTests {
    @Test func filesAndDirectoriesRoundTripThroughTheRoutes() async throws {
        let world = try SheLLamaWorld()
        try await world.withService { port in
            var reply = try await send(port, .POST, "/directory", body: #"{"path":"notes/2026"}"#)
            #expect(reply.status == 201 && reply.json?["created"]?.bool == true, "\(reply.text)")
            reply = try await send(port, .POST, "/file", body: ##"{"filename":"notes/2026/a.md","content":"# hi\n"}"##)
            #expect(reply.status == 201, "\(reply.text)")
            reply = try await send(port, .POST, "/file", body: #"{"filename":"notes/2026/a.md","content":"x"}"#)
            expectError(reply, status: 409, code: "already_exists")
            reply = try await send(port, .POST, "/file",
                                   body: ##"{"filename":"notes/2026/a.md","content":"# hello\n","overwrite":true}"##)
            #expect(reply.status == 200 && reply.json?["created"]?.bool == false, "\(reply.text)")
            reply = try await send(port, .GET, "/file?filename=notes/2026/a.md")
            #expect(reply.json?["content"]?.string == "# hello\n" && reply.json?["encoding"]?.string == "utf-8")
            reply = try await send(port, .GET, "/files?directory=notes/2026&pattern=*.md")
            let files = reply.json?["files"]?.array ?? []
            #expect(files.count == 1 && files.first?["path"]?.string == "notes/2026/a.md" && files.first?["size"]?.int == 8)
            #expect(files.first?["type"]?.string == "file" && files.first?["modified"]?.string?.hasSuffix("Z") == true)
            reply = try await send(port, .GET, "/directory?path=notes")
            #expect(reply.json?["files"]?.array.map { $0["type"]?.string } == ["directory"], "\(reply.text)")
            expectError(try await send(port, .DELETE, "/directory?path=notes"), status: 409, code: "directory_not_empty")
            #expect(try await send(port, .DELETE, "/file?filename=notes/2026/a.md").status == 200)
            expectError(try await send(port, .GET, "/file?filename=notes/2026/a.md"), status: 404, code: "not_found")
            #expect(try await send(port, .DELETE, "/directory?path=notes&recursive=true").status == 200)
            #expect(!FileManager.default.fileExists(atPath: world.workspace + "/notes"))
        }
    }

    /// `POST /rename` moves files and directories inside the workspace and never replaces anything.
    @Test func renameMovesFilesAndDirectoriesAndNeverReplaces() async throws {
        let world = try SheLLamaWorld()
        try await world.withService { port in
            #expect(try await send(port, .POST, "/file", body: #"{"filename":"a.py","content":"print(1)"}"#).status == 201)
            #expect(try await send(port, .POST, "/file", body: #"{"filename":"b.py","content":"print(2)"}"#).status == 201)
            #expect(try await send(port, .POST, "/directory", body: #"{"path":"src"}"#).status == 201)
            var reply = try await send(port, .POST, "/rename", body: #"{"from":"a.py","to":"src/main.py"}"#)
            #expect(reply.status == 200 && reply.json?["to"]?.string == "src/main.py", "\(reply.text)")
            #expect(try String(contentsOfFile: world.workspace + "/src/main.py", encoding: .utf8) == "print(1)")
            #expect(!FileManager.default.fileExists(atPath: world.workspace + "/a.py"))
            expectError(try await send(port, .POST, "/rename", body: #"{"from":"b.py","to":"src/main.py"}"#),
                        status: 409, code: "already_exists")
            #expect(try String(contentsOfFile: world.workspace + "/src/main.py", encoding: .utf8) == "print(1)")
            expectError(try await send(port, .POST, "/rename", body: #"{"from":"gone.py","to":"c.py"}"#),
                        status: 404, code: "not_found")
            expectError(try await send(port, .POST, "/rename", body: #"{"from":"src","to":"src/inner"}"#),
                        status: 409, code: "moves_into_itself")
            expectError(try await send(port, .POST, "/rename", body: #"{"from":"b.py"}"#), status: 400, code: "missing_field")
            reply = try await send(port, .POST, "/rename", body: #"{"from":"src","to":"lib"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(FileManager.default.fileExists(atPath: world.workspace + "/lib/main.py"))
        }
    }

    /// Binary content is answered in base64 (never refused with 415), and base64 can be written.
    @Test func binaryContentIsAnsweredInBase64() async throws {
        let world = try SheLLamaWorld()
        try await world.withService { port in
            let bytes: [UInt8] = [0, 0xff, 0xfe, 0x80, 10]
            let encoded = Data(bytes).base64EncodedString()
            var reply = try await send(port, .POST, "/file",
                                       body: #"{"filename":"b.bin","encoding":"base64","content":"\#(encoded)"}"#)
            #expect(reply.status == 201, "\(reply.text)")
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: world.workspace + "/b.bin"))) == bytes)
            reply = try await send(port, .GET, "/file?filename=b.bin")
            #expect(reply.json?["encoding"]?.string == "base64" && reply.json?["content"]?.string == encoded)
        }
    }

    @Test func errorsCarryTheOldMessageAndTheEnvelopeAndEveryRouteButHealthNeedsTheToken() async throws {
        let world = try SheLLamaWorld(limits: WorkspaceLimits(maxFileBytes: 4))
        try await world.withService { port in
            let health = try await send(port, .GET, "/health", token: nil)
            #expect(health.status == 200 && health.json?["service"]?.string == "shellama", "\(health.text)")
            expectError(try await send(port, .GET, "/files", token: nil), status: 401, code: "unauthorized")
            expectError(try await send(port, .GET, "/files", token: "wrong"), status: 401, code: "unauthorized")
            expectError(try await send(port, .GET, "/file"), status: 400, code: "missing_parameter")
            expectError(try await send(port, .GET, "/file?filename=a&workspace=..%2f"), status: 400, code: "invalid_workspace")
            expectError(try await send(port, .GET, "/file?filename=a&workspace=nope"), status: 404, code: "workspace_not_found")
            expectError(try await send(port, .POST, "/file", body: #"{"filename":"big","content":"12345"}"#), status: 413,
                        code: "file_too_large")
            expectError(try await send(port, .POST, "/file", body: #"{"filename":"x"}"#), status: 400, code: "missing_field")
            expectError(try await send(port, .POST, "/file", body: "[1]"), status: 400, code: "invalid_body")
            let refused = try await send(port, .GET, "/file?filename=../canary.txt")
            expectError(refused, status: 403, code: "path_escapes")
            #expect(refused.json?["error"]?["field"]?.string == "filename")
            #expect(refused.json?["message"]?.string?.contains("../canary.txt") == true)
        }
        world.expectCanariesIntact()
    }
}
