import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1

/// One answer: status, the JSON body (null if it is not JSON) and the raw text.
public struct Answer {
    public var status: Int
    public var json: JSONValue
    public var text: String
    public var contentType: String?
}

/// `method path` on a service at 127.0.0.1:`port` with `token` as the bearer (none if nil) and `body` as JSON text.
public func call(_ port: Int, _ method: HTTPMethod, _ path: String, body: String? = nil,
                 token: String?) async throws -> Answer {
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
public func quoted(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

