import Logging
import NIOCore
import Testing

@testable import LogShipping

struct RecordMappingTests {
    private struct Boom: Error {}

    @Test func eventBecomesALogLamaRecord() throws {
        let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:1"))
        let provider = Logger.MetadataProvider { ["trace_id": "t-1", "shared": "provider"] }
        var handler = LogLamaLogHandler(label: "orders", shipper: shipper, metadataProvider: provider, console: .none)
        handler.metadata = ["service": "api", "shared": "handler", "n": .stringConvertible(7)]
        handler.logLevel = .trace
        let event = LogEvent(level: .notice, message: "placed \"order\"\n", error: Boom(),
                             metadata: ["request_id": "req-9", "shared": "call", "tags": ["a", "b"]],
                             source: "Orders", file: "Orders/Place.swift", function: "place()", line: 42)
        let record = handler.record(for: event)
        #expect(record.level == "INFO")
        #expect(record.loggerName == "orders")
        #expect(record.message == "placed \"order\"\n")
        #expect(record.context == ["service": "api", "shared": "call", "n": "7", "trace_id": "t-1",
                                   "request_id": "req-9", "tags": #"["a", "b"]"#])
        #expect(record.requestID == "req-9")
        #expect(record.filePath == "Orders/Place.swift")
        #expect(record.function == "place()")
        #expect(record.lineNumber == 42)
        #expect(record.module == "Orders")
        #expect(record.exceptionInfo?.contains("Boom") == true)
        #expect(record.timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(record.timestamp)")
    }

    @Test func batchBodyIsValidJSONWithEscapes() {
        let record = ShippedLogRecord(level: "ERROR", message: "a\"b\\c\n\u{1}é", loggerName: "x",
                                      timestamp: "2026-01-01T00:00:00.000Z", context: ["k": "v"], lineNumber: 3)
        let body = ShippedLogRecord.batchBody([record])
        #expect(String(buffer: body) == #"{"logs":[{"level":"ERROR","message":"a\"b\\c\n\u0001é","logger_name":"x","#
            + #""timestamp":"2026-01-01T00:00:00.000Z","context":{"k":"v"},"line_number":3}]}"#)
    }
}
