import AsyncHTTPClient
import FoundationEssentials
import LogLama
import NIOCore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A record as `GET /api/logs` returns it (the fields these tests look at).
struct QueriedLog: Decodable, Sendable {
    var level: String
    var message: String
    var logger_name: String
    var timestamp: String
    var context: [String: String]
    var request_id: String?
    var file_path: String?
    var function: String?
    var line_number: Int?
}

private struct Listing: Decodable {
    var logs: [QueriedLog]
    var total: Int
}

/// Every log of `component` (up to 1,000) from the LogLama on `port`, and the total it reports.
func queryLogs(port: Int, component: String) async throws -> (logs: [QueriedLog], total: Int) {
    let request = HTTPClientRequest(
        url: "http://127.0.0.1:\(port)/api/logs?component=\(component)&page_size=1000&sort_by=id&sort_direction=asc")
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 64 << 20)
    #expect(response.status.code == 200, "\(String(buffer: body))")
    let listing = try JSONDecoder().decode(Listing.self, from: Data(body.readableBytesView))
    return (listing.logs, listing.total)
}
