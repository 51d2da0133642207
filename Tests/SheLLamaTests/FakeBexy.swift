import Contracts
import Hummingbird
import ServiceHTTP
import Synchronization
import TestSupport

/// A stand-in for BEXY's internal workspace routes on loopback, so SheLLama's client is tested over real HTTP:
/// records each request (path, body, headers) and answers `POST /workspace/execute` with an `ExecutionResult`
/// echoing what it was asked, `POST /workspace/jobs` with a 202 job, and 404 naming `workspace` for the
/// workspace `other`.
final class FakeBexy: Sendable {
    struct Call: Sendable {
        var path: String
        var body: JSONValue
        var headers: [String: String]
    }

    private let recorded = Mutex<[Call]>([])

    var calls: [Call] { recorded.withLock { $0 } }

    /// Runs the fake for `body`, which gets its base URL.
    func run(_ body: (String) async throws -> Void) async throws {
        let router = Router()
        for path in ["/workspace/execute", "/workspace/jobs"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let json = JSONValue.parse(String(buffer: buffer)) ?? .null
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                self.recorded.withLock { $0.append(Call(path: path, body: json, headers: headers)) }
                return try Self.answer(path: path, body: json)
            }
        }
        try await withHTTPServer(router) { port in try await body("http://127.0.0.1:\(port)") }
    }

    private static func answer(path: String, body: JSONValue) throws -> Response {
        if body["workspace"]?.string == "other" {
            let envelope = ErrorEnvelope(error: .init(code: "workspace_not_found", message: "no workspace 'other'",
                                                      field: "workspace"), requestID: "fake")
            return try JSONResponse.make(envelope, status: .notFound)
        }
        if path == "/workspace/jobs" {
            return try JSONResponse.make(JSONValue.object([
                "id": .string("job-1"), "state": .string("queued"),
                "links": .object(["self": .string("/jobs/job-1"), "events": .string("/jobs/job-1/events")]),
            ]), status: .accepted)
        }
        let echoed = body["command"]?.string ?? body["argv"]?.array.compactMap(\.string).joined(separator: " ") ?? ""
        let failing = echoed.contains("exit 3")
        return try JSONResponse.make(JSONValue.object([
            "id": .string("e-1"), "profile": .string("workspace"), "status": .string(failing ? "runtime_error" : "ok"),
            "exit_code": .integer(failing ? 3 : 0), "stdout": .string("ran: \(echoed)\n"), "stderr": .string(""),
            "success": .bool(!failing), "output": .string("ran: \(echoed)\n"), "error": .string(""),
            "wall_ms": .integer(5), "cpu_ms": .integer(1),
        ]))
    }
}
