import AsyncHTTPClient
import Contracts
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Ollama
import PyLLM
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
    var logger = Logger(label: "pyllm-test")
    logger.logLevel = .critical
    try await withRunningServer({ onRunning in
        let server = PyLLMServer(configuration: configuration, sandbox: sandbox, logger: logger,
                                 onServerRunning: onRunning)
        return { try await server.run() }
    }, body)
}

/// `call` with PyLLM's internal token unless another (or nil) is given.
func call(_ port: Int, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Answer {
    try await call(port, method, path, body: body, token: internalToken)
}
