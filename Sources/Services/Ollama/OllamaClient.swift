import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1

/// A client of Ollama's HTTP API (`/api/generate`, `/api/chat`, `/api/tags`, `/api/show`, `/api/pull`,
/// `/api/delete`, `/api/version`), over AsyncHTTPClient.
///
/// Every call is bounded by `configuration.timeoutSeconds` and fails with an `OllamaError` that says what to do.
/// A generation that names no model uses `configuration.defaultModel`, then each of `fallbackModels` that is
/// installed; a generation that names a model uses that one only.
public struct OllamaClient: Sendable {
    public let configuration: OllamaConfiguration
    private let http: HTTPClient

    /// Answers larger than this (error bodies, lists, one NDJSON line) are refused as bad responses.
    static let maxAnswerBytes = 16 << 20

    public init(configuration: OllamaConfiguration, httpClient: HTTPClient = OllamaClient.sharedHTTPClient) {
        self.configuration = configuration
        http = httpClient
    }

    /// The process's client for Ollama. AsyncHTTPClient retries a refused connection for its whole connect timeout
    /// (even past a request's deadline) and makes requests wait that long for a pooled connection, so: 3 s to
    /// connect (a down Ollama is a 503 after 3 s, not the default 10), and up to 64 connections to Ollama, so
    /// concurrent generations wait in Ollama's queue, not in ours. Lives as long as the process (never shut down,
    /// like `HTTPClient.shared`).
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(3)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Ollama's version string (`/api/version`): also the cheapest "is it up" check, so it may be given a shorter
    /// bound than the configured timeout (a health check must answer at once).
    public func version(timeoutSeconds: Int? = nil) async throws(OllamaError) -> String {
        struct Version: Decodable { var version: String }
        var bounded = self
        if let timeoutSeconds { bounded = OllamaClient(configuration: configuration.with(timeoutSeconds: timeoutSeconds), httpClient: http) }
        return try await bounded.call("/api/version", method: .GET, decode: Version.self).version
    }

    /// The installed models (`/api/tags`).
    public func installedModels() async throws(OllamaError) -> [InstalledModel] {
        struct Tags: Decodable { var models: [InstalledModel] }
        return try await call("/api/tags", method: .GET, decode: Tags.self).models
    }

    /// One model's details (`/api/show`), as Ollama returns them.
    public func show(model: String) async throws(OllamaError) -> JSONValue {
        try await call("/api/show", method: .POST, body: ["model": model], model: model, decode: JSONValue.self)
    }

    /// Remove an installed model (`/api/delete`).
    public func delete(model: String) async throws(OllamaError) {
        _ = try await send("/api/delete", method: .DELETE, body: ["model": model], model: model)
    }

    /// Pull a model (`/api/pull`), reporting each progress line to `progress` as it arrives.
    public func pull(model: String, progress: @Sendable (PullProgress) async -> Void) async throws(OllamaError) {
        let response = try await send("/api/pull", method: .POST, body: PullBody(model: model, stream: true),
                                      model: model)
        try await NDJSONLines.each(of: response, url: configuration.host,
                                   timeoutSeconds: configuration.timeoutSeconds) { (line: PullProgress) in
            await progress(line)
        }
    }

    /// Generate a whole answer to `prompt` (`/api/generate`, not streamed).
    public func generate(prompt: String, system: String? = nil, model: String? = nil,
                         options: GenerationOptions? = nil) async throws(OllamaError) -> Completion {
        var text = ""
        var last: Completion?
        try await generateStream(prompt: prompt, system: system, model: model, options: options) { chunk in
            text += chunk.text
            if let final = chunk.final { last = final }
        }
        guard var completion = last else { throw .badResponse("the answer ended before its last line (done)") }
        completion.text = text
        return completion
    }

    /// Generate an answer to `prompt`, handing each piece to `onChunk` as Ollama streams it (`/api/generate`).
    public func generateStream(prompt: String, system: String? = nil, model: String? = nil,
                               options: GenerationOptions? = nil,
                               onChunk: (CompletionChunk) async throws -> Void) async throws(OllamaError) {
        try await stream("/api/generate", model: model, onChunk: onChunk) { name in
            GenerationBody(model: name, prompt: prompt, system: system, messages: nil, stream: true, options: options)
        }
    }

    /// Answer a conversation (`/api/chat`), streamed to `onChunk`.
    public func chatStream(messages: [ChatMessage], model: String? = nil, options: GenerationOptions? = nil,
                           onChunk: (CompletionChunk) async throws -> Void) async throws(OllamaError) {
        try await stream("/api/chat", model: model, onChunk: onChunk) { name in
            GenerationBody(model: name, prompt: nil, system: nil, messages: messages, stream: true, options: options)
        }
    }

    /// The models a generation tries, in order: the one asked for, or the default and then the fallbacks.
    public func candidates(for model: String?) -> [String] {
        if let model, !model.isEmpty { return [model] }
        var names: [String] = []
        for name in [configuration.defaultModel] + configuration.fallbackModels where !names.contains(name) {
            names.append(name)
        }
        return names
    }

    private func stream(_ path: String, model: String?, onChunk: (CompletionChunk) async throws -> Void,
                        body: (String) -> GenerationBody) async throws(OllamaError) {
        let names = candidates(for: model)
        for (index, name) in names.enumerated() {
            let response: HTTPClientResponse
            do {
                response = try await send(path, method: .POST, body: body(name), model: name)
            } catch .modelNotFound where index < names.count - 1 {
                continue
            }
            var text = ""
            var final: Completion?
            try await NDJSONLines.each(of: response, url: configuration.host,
                                       timeoutSeconds: configuration.timeoutSeconds) { (line: GenerationLine) in
                if let error = line.error { throw OllamaError.upstream(status: 200, message: error) }
                text += line.text
                if line.done == true {
                    final = Completion(model: line.model ?? name, text: text, tokensGenerated: line.evalCount ?? 0,
                                       promptTokens: line.promptEvalCount ?? 0, doneReason: line.doneReason)
                    try await onChunk(CompletionChunk(text: line.text, done: true, final: final))
                } else if !line.text.isEmpty {
                    try await onChunk(CompletionChunk(text: line.text, done: false, final: nil))
                }
            }
            guard final != nil else { throw .badResponse("the stream ended before its last line (done: true)") }
            return
        }
    }

    /// A request whose whole JSON answer decodes as `T`.
    private func call<T: Decodable>(_ path: String, method: HTTPMethod, body: (some Encodable)? = nil as String?,
                                    model: String? = nil, decode: T.Type) async throws(OllamaError) -> T {
        let response = try await send(path, method: method, body: body, model: model)
        let bytes = try await Self.collect(response, url: configuration.host, seconds: configuration.timeoutSeconds)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .badResponse("\(path): \(error)")
        }
    }

    /// Send one request; answer the response once its head says 2xx, or throw what its error body says.
    private func send(_ path: String, method: HTTPMethod, body: (some Encodable)?,
                      model: String?) async throws(OllamaError) -> HTTPClientResponse {
        let url = configuration.host + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            do {
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            } catch {
                throw .badResponse("cannot encode the request to \(path): \(error)")
            }
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(Int64(configuration.timeoutSeconds)))
        } catch {
            throw Self.transportError(error, url: configuration.host, seconds: configuration.timeoutSeconds)
        }
        guard (200..<300).contains(response.status.code) else {
            let bytes = (try? await Self.collect(response, url: configuration.host,
                                                 seconds: configuration.timeoutSeconds)) ?? []
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: Data(bytes)))?.error
                ?? String(decoding: bytes.prefix(500), as: UTF8.self)
            if response.status == .notFound, let model { throw .modelNotFound(model) }
            throw .upstream(status: Int(response.status.code), message: message)
        }
        return response
    }

    static func collect(_ response: HTTPClientResponse, url: String,
                        seconds: Int) async throws(OllamaError) -> [UInt8] {
        do {
            let buffer = try await response.body.collect(upTo: maxAnswerBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw transportError(error, url: url, seconds: seconds, midAnswer: true)
        }
    }

    /// A transport failure in words: a timeout, no connection (before an answer), or an answer cut short.
    static func transportError(_ error: any Error, url: String, seconds: Int, midAnswer: Bool = false) -> OllamaError {
        if let error = error as? OllamaError { return error }
        if let client = error as? HTTPClientError,
           [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(client) {
            return .timedOut(url: url, seconds: seconds)
        }
        if midAnswer { return .badResponse("the answer was cut short: \(error)") }
        return .unreachable(url: url, detail: "\(error)")
    }
}

/// Ollama's error answer, `{"error": "..."}`.
private struct ErrorBody: Decodable {
    var error: String
}

private struct PullBody: Encodable {
    var model: String
    var stream: Bool
}
