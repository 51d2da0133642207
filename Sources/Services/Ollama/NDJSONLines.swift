import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads a streamed answer of newline-delimited JSON objects (Ollama's streaming format) line by line.
enum NDJSONLines {
    /// Decode each line of `response` as `Line` and hand it to `body` as soon as it is complete.
    static func each<Line: Decodable>(of response: HTTPClientResponse, url: String, timeoutSeconds: Int,
                                      _ body: (Line) async throws -> Void) async throws(OllamaError) {
        var pending: [UInt8] = []
        do {
            for try await buffer in response.body {
                pending.append(contentsOf: buffer.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    try await decode(line, body)
                }
                if pending.count > OllamaClient.maxAnswerBytes {
                    throw OllamaError.badResponse("a streamed line is over \(OllamaClient.maxAnswerBytes) bytes")
                }
            }
            try await decode(pending, body)
        } catch {
            throw OllamaClient.transportError(error, url: url, seconds: timeoutSeconds, midAnswer: true)
        }
    }

    private static func decode<Line: Decodable>(_ bytes: [UInt8], _ body: (Line) async throws -> Void) async throws {
        guard bytes.contains(where: { !$0.isWhitespace }) else { return }
        let line: Line
        do {
            line = try JSONDecoder().decode(Line.self, from: Data(bytes))
        } catch {
            throw OllamaError.badResponse("a streamed line is not the JSON Ollama sends: "
                                          + String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        try await body(line)
    }
}

private extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
