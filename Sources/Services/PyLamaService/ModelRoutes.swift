import Contracts
import Foundation
import Hummingbird
import Ollama
import PyLLM
import ServiceHTTP

/// PyLama's model management over Ollama:
///
/// - `GET /models` -> `{status, default, fallbacks, models}` (as PyLLM's);
/// - `GET /models/{name}` -> `{status, name, details}` (Ollama's `/api/show`), 404 for a model it does not have;
/// - `POST /models/pull {name}` -> `application/x-ndjson`: Ollama's progress lines (`{status, digest?, total?,
///   completed?}`) as they come, ending with `{status: "success"}` or `{status: "error", error: {code, message}}`;
/// - `DELETE /models/{name}` -> `{status: "success", deleted}`, 404 for a model it does not have;
/// - `POST /models/default {name}` -> `{status: "success", default}`: an installed model only (404 otherwise);
///   kept in the central `.env` as `OLLAMA_MODEL`.
struct ModelRoutes: Sendable {
    let defaultModel: DefaultModel
    let maxBodyBytes: Int

    struct NameBody: Decodable {
        var name: String
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/models") { _, _ in
            let client = await defaultModel.client
            return try JSONResponse.make(ModelList(default: client.configuration.defaultModel,
                                                   fallbacks: client.configuration.fallbackModels,
                                                   models: try await ollama { try await client.installedModels() }))
        }
        router.get("/models/:name") { _, context in
            let name = try modelName(context.parameters.get("name") ?? "")
            let details = try await ollama { try await defaultModel.client.show(model: name) }
            return try JSONResponse.make(ModelDetails(name: name, details: details))
        }
        router.delete("/models/:name") { _, context in
            let name = try modelName(context.parameters.get("name") ?? "")
            try await ollama { try await defaultModel.client.delete(model: name) }
            return try JSONResponse.make(["status": "success", "deleted": name])
        }
        router.post("/models/default") { request, _ in
            let body = try JSONBody.decode(NameBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            let name = try modelName(body.name)
            let installed = try await ollama { try await defaultModel.client.installedModels() }.map(\.name)
            guard installed.contains(name) else {
                throw ServiceError(status: .notFound, code: "model_not_found",
                                   message: "Ollama has no model '\(name)'; pull it first", field: "name")
            }
            do {
                try await defaultModel.set(name)
            } catch {
                throw ServiceError(status: .internalServerError, code: "configuration_error",
                                   message: "cannot keep the default in the central .env: \(error)")
            }
            return try JSONResponse.make(["status": "success", "default": name])
        }
        router.post("/models/pull") { request, _ in
            let body = try JSONBody.decode(NameBody.self, from: try await JSONBody.read(request, limit: maxBodyBytes),
                                           root: "body")
            let name = try modelName(body.name)
            let client = await defaultModel.client
            // The pull runs beside the response; its lines reach the writer through a stream.
            let (lines, sink) = AsyncStream.makeStream(of: [UInt8].self)
            let pull = Task {
                do {
                    try await client.pull(model: name) { progress in sink.yield(Self.line(progress)) }
                } catch {
                    let failure = ServiceError(error)
                    sink.yield(Self.line(PullFailure(error: .init(code: failure.code, message: failure.message))))
                }
                sink.finish()
            }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson", .cacheControl: "no-cache"],
                            body: ResponseBody { writer in
                                defer { pull.cancel() }
                                for await line in lines { try await writer.write(ByteBuffer(bytes: line)) }
                                try await writer.finish(nil)
                            })
        }
    }

    /// One NDJSON line.
    static func line(_ value: some Encodable) -> [UInt8] {
        ((try? JSONEncoder().encode(value)).map(Array.init) ?? Array("{}".utf8)) + [UInt8(ascii: "\n")]
    }

    /// A model name as Ollama spells them (`llama3.2`, `smollm2:135m`, `library/x:tag`).
    func modelName(_ name: String) throws -> String {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || [UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "/")]
                    .contains(byte)
        }
        guard !name.isEmpty, name.count <= 200, allowed else {
            throw ServiceError.invalidField("name", "must be an Ollama model name (letters, digits, . - _ : /)")
        }
        return name
    }

    /// Run an Ollama call, its failure as the HTTP error.
    func ollama<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch {
            throw ServiceError(error)
        }
    }
}

/// The answer of `GET /models/{name}`.
struct ModelDetails: Encodable {
    var status = "success"
    var name: String
    var details: JSONValue
}

/// The last line of a pull that failed.
struct PullFailure: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }

    var status = "error"
    var error: Detail
}
