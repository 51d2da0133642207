import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1
import ServiceHTTP
import ServiceKit
import SheLLama
import TestSupport
import Testing

/// A throwaway SheLLama world: a temporary directory holding the workspace root (with `default` created the way
/// `loglama init` does) and, beside the root, a canary file and directory no request may ever reach.
struct SheLLamaWorld: Sendable {
    static let internalToken = "int_test-internal-token-for-the-services"
    static let canaryText = "canary: never read, changed or deleted\n"

    let directory: String
    let settings: WorkspaceSettings

    init(limits: WorkspaceLimits = WorkspaceLimits()) throws {
        directory = temporaryDirectory(prefix: "shellama")
        settings = WorkspaceSettings(root: directory + "/workspaces",
                                     uid: getuid() == 0 ? WorkspaceSettings.defaultOwner : getuid(),
                                     gid: getuid() == 0 ? WorkspaceSettings.defaultOwner : getgid())
        self.limits = limits
        try settings.createWorkspace()
        try settings.createWorkspace("other")
        try Self.canaryText.write(toFile: canaryPath, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/outside", withIntermediateDirectories: true)
        try Self.canaryText.write(toFile: directory + "/outside/canary.txt", atomically: false, encoding: .utf8)
        try "other's secret\n".write(toFile: settings.root + "/other/secret.txt", atomically: false, encoding: .utf8)
    }

    let limits: WorkspaceLimits

    /// The canary beside the workspace root.
    var canaryPath: String { directory + "/canary.txt" }
    /// The default workspace's directory.
    var workspace: String { settings.root + "/default" }
    /// A store over the root.
    var store: WorkspaceStore { WorkspaceStore(settings: settings, limits: limits) }

    /// The canaries are exactly as written: same content, one link each, still there.
    func expectCanariesIntact(sourceLocation: SourceLocation = #_sourceLocation) {
        for path in [canaryPath, directory + "/outside/canary.txt"] {
            #expect((try? String(contentsOfFile: path, encoding: .utf8)) == Self.canaryText, "\(path) changed",
                    sourceLocation: sourceLocation)
        }
        #expect((try? String(contentsOfFile: settings.root + "/other/secret.txt", encoding: .utf8)) == "other's secret\n",
                sourceLocation: sourceLocation)
    }

    func configuration(bexyURL: String = "http://127.0.0.1:\(refusedPort())") -> SheLLamaConfiguration {
        SheLLamaConfiguration(host: "127.0.0.1", port: 0, internalToken: Self.internalToken, workspaces: settings,
                              limits: limits, bexyURL: bexyURL, gitName: "Test Author", gitEmail: "author@example.test")
    }

    /// Runs SheLLama over this world for `body`, which gets its port.
    func withService(bexyURL: String? = nil, _ body: (Int) async throws -> Void) async throws {
        let configuration = bexyURL.map { self.configuration(bexyURL: $0) } ?? self.configuration()
        try await withLiveServer({ onRunning in
            buildSheLLamaApplication(configuration: configuration, logger: quietLogger("shellama"),
                                     onServerRunning: onRunning)
        }, body)
    }
}

/// A response: status, body text and, when it is JSON, the parsed body.
struct Reply: Sendable {
    var status: Int
    var text: String
    var headers: HTTPHeaders
    var json: JSONValue? { JSONValue.parse(text) }
}

/// Sends one request to `port` (the internal token unless `token` says otherwise) and reads the whole answer.
func send(_ port: Int, _ method: HTTPMethod, _ path: String, token: String? = SheLLamaWorld.internalToken,
          body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)" + path)
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let text = String(buffer: try await response.body.collect(upTo: 64 << 20))
    return Reply(status: Int(response.status.code), text: text, headers: response.headers)
}

/// `text` as a JSON string literal.
func quoted(_ text: String) -> String { JSONValue.string(text).serialized }

/// Checks that `reply` is an error with `status`, carrying both the envelope and the original contract's `message`.
func expectError(_ reply: Reply, status: Int, code: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "\(reply.status): \(reply.text)", sourceLocation: sourceLocation)
    let json = reply.json
    #expect(json?["status"]?.string == "error", "\(reply.text)", sourceLocation: sourceLocation)
    #expect(json?["message"]?.string?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
    #expect(json?["message"] == json?["error"]?["message"], "\(reply.text)", sourceLocation: sourceLocation)
    #expect(json?["request_id"]?.string?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
    if let code { #expect(json?["error"]?["code"]?.string == code, "\(reply.text)", sourceLocation: sourceLocation) }
}
