import Foundation

/// One Server-Sent Event: `event: NAME` and its JSON data on one `data:` line, then the blank line.
enum ServerSentEvent {
    static func make(_ name: String, _ value: some Encodable) -> String {
        let data = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(name)\ndata: \(data)\n\n"
    }
}
