import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1

/// One answer: status, the JSON body (null if it is not JSON), the raw text and the headers.
public struct Answer {
    public var status: Int
    public var json: JSONValue
    public var text: String
    public var contentType: String?
    public var headers: HTTPHeaders

    /// The first value of header `name`.
    public func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A client that hands redirects back instead of following them; it lives as long as the test process.
private let nonFollowingClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                            configuration: .init(redirectConfiguration: .disallow))

/// `method path` on a service at 127.0.0.1:`port` with `token` as the bearer (none if nil), extra `headers` and
/// `body` as JSON text; redirects are followed unless `followRedirects` is false.
public func call(_ port: Int, _ method: HTTPMethod, _ path: String, body: String? = nil, token: String?,
                 headers: [(String, String)] = [], followRedirects: Bool = true) async throws -> Answer {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let client = followRedirects ? HTTPClient.shared : nonFollowingClient
    let response = try await client.execute(request, timeout: .seconds(300))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    let text = String(buffer: bytes)
    let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    return Answer(status: Int(response.status.code), json: json, text: text,
                  contentType: response.headers.first(name: "Content-Type"), headers: response.headers)
}

/// A JSON string literal of `text`.
public func quoted(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

