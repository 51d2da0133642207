import Hummingbird
import HummingbirdTesting
import Logging
import ServiceHTTP
import TestSupport
import Testing

@testable import LogShipping

/// A request error in a service is logged with its request id, and through the LogLama handler it reaches LogLama.
struct RequestErrorLogTests {
    @Test func aBadRequestToAServiceAppearsInLogLamaWithItsRequestID() async throws {
        try await withLogLama { logLamaPort in
            let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:\(logLamaPort)", batchSize: 10))
            let label = "service-\(logLamaPort)"
            let logger = Logger(label: label) {
                LogLamaLogHandler(label: $0, shipper: shipper, metadataProvider: nil, console: .none)
            }
            let router = Router()
            router.add(middleware: RequestIDMiddleware())
            router.add(middleware: ErrorMiddleware())
            router.post("/things") { _, _ -> String in throw ServiceError.missingField("name") }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  logger: logger)
            try await app.test(.live) { client in
                let reply = try await client.execute(uri: "/things", method: .post,
                                                     headers: [RequestIdentifier.header: "req-abc-123"])
                #expect(reply.status == .badRequest)
            }
            try await shipper.flush()
            let (logs, total) = try await queryLogs(port: logLamaPort, component: label)
            #expect(total >= 1)
            let logged = try #require(logs.first { $0.request_id == "req-abc-123" })
            #expect(logged.message == "request failed")
            #expect(logged.level == "INFO")
            #expect(logged.context["code"] == "missing_field")
            #expect(logged.context["status"] == "400")
            #expect(logged.context["path"] == "/things")
        }
    }
}
