import AsyncHTTPClient
import Contracts
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Ollama
import PyLLM
import Synchronization
import TestSupport

let internalToken = "pyllm-test-token"

/// Runs a PyLLM server on a loopback port, over Ollama at `ollamaHost` (the stand-in by default) and `sandbox`, for
/// `body`; cancelled afterwards.
func withPyLLM(ollamaHost: String? = nil, timeoutSeconds: Int = 120, maxBodyBytes: Int = 64 * 1024,
               sandbox: any SandboxRunner = ScriptedSandbox(), _ body: (Int) async throws -> Void) async throws {
    let host: String
    if let ollamaHost { host = ollamaHost } else { host = "http://127.0.0.1:\(try await OllamaStandIn.shared.value.port)" }
    let configuration = PyLLMConfiguration(
        host: "127.0.0.1", port: 0, internalToken: internalToken, bexyURL: "http://127.0.0.1:1",
        maxBodyBytes: maxBodyBytes,
        ollama: OllamaConfiguration(host: host, timeoutSeconds: timeoutSeconds, defaultModel: OllamaStandIn.model))
    let port = Mutex<Int?>(nil)
    var logger = Logger(label: "pyllm-test")
    logger.logLevel = .critical
    let server = PyLLMServer(configuration: configuration, sandbox: sandbox, logger: logger) { bound in
        port.withLock { $0 = bound }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        var bound: Int?
        for _ in 0..<500 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ListeningProcess.Failed(description: "PyLLM did not listen") }
        try await body(bound)
        group.cancelAll()
    }
}

/// One answer: status, the JSON body (null if it is not JSON) and the raw text.
struct Answer {
    var status: Int
    var json: JSONValue
    var text: String
    var contentType: String?
}

/// `method path` on PyLLM at `port` with the internal token (unless `token` is nil) and `body` as JSON text.
func call(_ port: Int, _ method: HTTPMethod, _ path: String, body: String? = nil,
          token: String? = internalToken) async throws -> Answer {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    let text = String(buffer: bytes)
    let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    return Answer(status: Int(response.status.code), json: json, text: text,
                  contentType: response.headers.first(name: "Content-Type"))
}

/// A JSON string literal of `text`.
func quoted(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

/// A sandbox for the loop's logic without sandboxes: a program "fails" with a NameError while it contains
/// `undefined_name` (as a real run would), and succeeds otherwise; every program it was given is kept.
final class ScriptedSandbox: SandboxRunner, @unchecked Sendable {
    private let ran = Mutex<[String]>([])
    var programs: [String] { ran.withLock { $0 } }

    func run(code: String, stdin: String?, profile: String?, requester: String, requestID: String) async throws
        -> ExecutionResult {
        ran.withLock { $0.append(code) }
        let fails = code.contains("undefined_name")
        let stderr = fails ? "Traceback (most recent call last):\n  File \"main.py\", line 1\nNameError: name "
            + "'undefined_name' is not defined\n" : ""
        return ExecutionResult(id: "job-\(programs.count)", profile: profile ?? "strict", status: fails ? .runtimeError : .ok,
                               exitCode: fails ? 1 : 0, signal: nil, stdout: fails ? "" : "ok\n", stderr: stderr,
                               stdoutTruncated: false, stderrTruncated: false, wallMs: 1, cpuMs: 1,
                               peakMemoryBytes: nil, limitHit: nil, blockedSyscall: nil, limits: nil, success: !fails,
                               errorType: fails ? "NameError" : nil,
                               errorMessage: fails ? "name 'undefined_name' is not defined" : nil,
                               output: fails ? "" : "ok\n", error: stderr)
    }
}
