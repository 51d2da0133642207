import AsyncHTTPClient
import Contracts
import NIOCore
import ServiceHTTP
import Testing

/// One Server-Sent Event: its `event:` name and its `data:` parsed as JSON.
struct ServerSentEvent {
    var name: String
    var data: JSONValue
}

/// Reads a `text/event-stream` response event by event, as the events arrive.
final class ServerSentEvents {
    let status: Int
    let contentType: String?
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var pending: [UInt8] = []
    /// How much of `pending` is known to hold no event end.
    private var scanned = 0

    /// `GET path` on `port` (authorized with `headers`); the events are read by `next()`.
    init(client: HTTPClient, port: Int, path: String, headers: [(String, String)]) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(120))
        status = Int(response.status.code)
        contentType = response.headers.first(name: "Content-Type")
        body = response.body.makeAsyncIterator()
    }

    /// The next event, or nil once the stream has ended.
    func next() async throws -> ServerSentEvent? {
        while true {
            if let end = pending.indices.dropFirst(scanned).dropLast().first(where: {
                pending[$0] == 10 && pending[$0 + 1] == 10
            }) {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                scanned = 0
                var name = "message", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                return ServerSentEvent(name: name, data: try #require(JSONValue.parse(data), "data is JSON: \(data)"))
            }
            scanned = max(0, pending.count - 1)
            guard let chunk = try await body.next() else { return nil }
            pending.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// Events until `stream`'s text so far contains `text` (chunks may split it anywhere).
    func read(until text: String, on stream: String = "stdout") async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while !events.text(of: stream).contains(text), let event = try await next() { events.append(event) }
        return events
    }

    /// Every remaining event, until the stream ends.
    func rest() async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while let event = try await next() { events.append(event) }
        return events
    }
}

extension [ServerSentEvent] {
    /// The concatenated data of the `stream` events.
    func text(of stream: String) -> String {
        filter { $0.name == stream }.compactMap(\.data.string).joined()
    }
}
