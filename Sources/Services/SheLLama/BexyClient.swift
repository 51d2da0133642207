import AsyncHTTPClient
import Contracts
import FoundationEssentials
import NIOCore
import HTTPTypes
import ServiceHTTP

/// SheLLama's only way to run anything: BEXY's internal workspace routes over HTTP with the internal token
/// (`POST /workspace/execute`, `POST /workspace/jobs`), so every shell and git command runs in a sandbox.
///
/// Sends `X-PyLama-Requester` (the caller the gateway named, passed on), `X-PyLama-Front-Door: shellama` and
/// `X-Request-ID`; never `X-Forwarded-Prefix`, which BEXY takes for a request through the gateway and refuses
/// on these routes (403 `internal_route`). BEXY's own error
/// answers are passed on with their status and code; a BEXY that cannot be reached is 503 `bexy_unavailable`.
public struct BexyClient: Sendable {
    /// What to run: a shell command line (`/bin/sh -c`) or an argv.
    public enum Command: Sendable, Equatable {
        case shell(String)
        case argv([String])
    }

    /// One workspace execution request, the contract's body.
    public struct Execution: Sendable, Equatable {
        public var workspace: String
        public var command: Command
        public var cwd: String?
        public var env: [String: String]?
        public var timeout: Double?

        public init(workspace: String, command: Command, cwd: String? = nil, env: [String: String]? = nil,
                    timeout: Double? = nil) {
            self.workspace = workspace
            self.command = command
            self.cwd = cwd
            self.env = env
            self.timeout = timeout
        }

        var body: JSONValue {
            var members: [String: JSONValue] = ["workspace": .string(workspace)]
            switch command {
            case .shell(let line): members["command"] = .string(line)
            case .argv(let argv): members["argv"] = .array(argv.map(JSONValue.string))
            }
            if let cwd, !cwd.isEmpty { members["cwd"] = .string(cwd) }
            if let env { members["env"] = .object(env.mapValues(JSONValue.string)) }
            if let timeout { members["timeout"] = timeout == timeout.rounded() ? .integer(Int64(timeout)) : .double(timeout) }
            return .object(members)
        }
    }

    /// BEXY's answer: its status and its JSON body.
    public struct Answer: Sendable {
        public var status: Int
        public var body: JSONValue
    }

    /// BEXY's base URL.
    public let baseURL: String
    private let token: String
    private let client: HTTPClient

    /// A client whose refused connection fails at once (no retry until the deadline).
    static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(baseURL: String, token: String) {
        self.baseURL = baseURL
        self.token = token
        client = Self.sharedClient
    }

    /// Run `execution` to its end (`/workspace/execute`) and return BEXY's `ExecutionResult` object.
    public func execute(_ execution: Execution, requester: String?, requestID: String) async throws -> JSONValue {
        try await send("/workspace/execute", execution, requester: requester, requestID: requestID,
                       timeout: .seconds(Int64((execution.timeout ?? 600) + 60))).body
    }

    /// Start `execution` as a job (`/workspace/jobs`) and return BEXY's `{id, state, links}`.
    public func start(_ execution: Execution, requester: String?, requestID: String) async throws -> JSONValue {
        try await send("/workspace/jobs", execution, requester: requester, requestID: requestID, timeout: .seconds(60)).body
    }

    private func send(_ path: String, _ execution: Execution, requester: String?, requestID: String,
                      timeout: TimeAmount) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-PyLama-Front-Door", value: "shellama")
        request.headers.add(name: "X-Request-ID", value: requestID)
        if let requester { request.headers.add(name: "X-PyLama-Requester", value: requester) }
        request.body = .bytes(ByteBuffer(string: execution.body.serialized))
        let status: Int
        let buffer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            buffer = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ServiceError(status: .serviceUnavailable, code: "bexy_unavailable",
                               message: "BEXY is not reachable at \(baseURL) (\(error)); start it with `loglama start-all`")
        }
        let body = JSONValue.parse(String(buffer: buffer))
        guard (200..<300).contains(status), let body else {
            throw Self.passOn(status: status, body: body)
        }
        return Answer(status: status, body: body)
    }

    /// BEXY's error answer as SheLLama's: same status and code, the message prefixed with `BEXY: `.
    private static func passOn(status: Int, body: JSONValue?) -> ServiceError {
        let detail = body?["error"]
        let code = detail?["code"]?.string ?? "bexy_error"
        let message = detail?["message"]?.string ?? "BEXY answered \(status) without an error body"
        return ServiceError(status: .init(code: (400..<600).contains(status) ? status : 502), code: code,
                            message: "BEXY: \(message)",
                            field: detail?["field"]?.string)
    }
}
