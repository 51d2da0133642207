import Foundation
import HTTPTypes
import Hummingbird
import Testing

import ServiceHTTP

@Suite("Static files from a resource bundle") struct StaticFileTests {
    @Test func servesTheBytesWithTheirHeaders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("static-file-\(getpid())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("Static"),
                                                withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = "body { color: red }\n\u{e9}"
        try Data(text.utf8).write(to: directory.appendingPathComponent("Static/a.css"))
        let bundle = try #require(Bundle(path: directory.path))

        let file = try StaticFile("Static/a.css", in: bundle, contentType: "text/css; charset=utf-8",
                                  headers: [.cacheControl: "no-cache"])
        #expect(Array(file.content.readableBytesView) == Array(text.utf8))
        #expect(file.headers.map(\.name) == [.cacheControl, .contentType, .contentLength])
        #expect(file.headers[.contentType] == "text/css; charset=utf-8")
        #expect(file.headers[.contentLength] == String(text.utf8.count))
        #expect(file.response.status == .ok)
    }

    @Test func aMissingFileIsAnErrorNamingIt() throws {
        let bundle = try #require(Bundle(path: FileManager.default.temporaryDirectory.path))
        #expect(throws: MissingResource(name: "Static/none.html", bundlePath: bundle.bundlePath)) {
            try StaticFile("Static/none.html", in: bundle, contentType: "text/html")
        }
    }
}
