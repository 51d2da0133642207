import Logging
import Synchronization
import TestSupport
import Testing

@testable import LogShipping

/// Real HTTP on loopback against a live LogLama with a real SQLite file.
struct LogShippingLiveTests {
    @Test func thousandRecordsFromFourTasksAllArrive() async throws {
        try await withLogLama { port in
            let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:\(port)", batchSize: 100))
            let label = "concurrent-\(port)"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        var logger = Logger(label: label) {
                            LogLamaLogHandler(label: $0, shipper: shipper, metadataProvider: nil, console: .none)
                        }
                        logger.logLevel = .trace
                        logger[metadataKey: "task"] = "\(task)"
                        for n in 0..<250 {
                            let level: Logger.Level = [.trace, .info, .warning, .error, .critical][n % 5]
                            logger.log(level: level, "record \(task)-\(n)", metadata: ["n": "\(n)", "request_id": "r-\(task)-\(n)"])
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await shipper.flush()
            #expect(shipper.droppedCount == 0)
            #expect(shipper.pendingCount == 0)
            #expect(shipper.shippedCount == 1000)

            let (logs, total) = try await queryLogs(port: port, component: label)
            #expect(total == 1000)
            #expect(logs.count == 1000)
            var seen = Set<String>()
            let names = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
            for log in logs {
                seen.insert(log.message)
                #expect(log.logger_name == label)
                let task = try #require(log.context["task"]), n = try #require(log.context["n"].flatMap { Int($0) })
                #expect(log.message == "record \(task)-\(n)")
                #expect(log.level == names[n % 5])
                #expect(log.request_id == "r-\(task)-\(n)")
                #expect(log.context["request_id"] == "r-\(task)-\(n)")
                #expect(log.file_path?.hasSuffix("LogShippingLiveTests.swift") == true)
                #expect(log.line_number != nil)
                #expect(log.timestamp.hasSuffix("Z"))
            }
            #expect(seen.count == 1000)
        }
    }

    @Test func enqueueNeverBlocksWhileLogLamaIsDownAndDropsAreReportedWhenItIsBack() async throws {
        // Bound but not listening: connections are refused, and no other test's server can take the port meanwhile.
        let reservation = LoopbackSocket(listening: false)
        let port = reservation.port
        let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:\(port)", capacity: 100, batchSize: 500,
                                                      timeout: .seconds(2)))
        let logger = Logger(label: "down") {
            LogLamaLogHandler(label: $0, shipper: shipper, metadataProvider: nil, console: .none)
        }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for n in 0..<10_000 { logger.info("while down \(n)") }
        }
        #expect(elapsed < .seconds(2), "10,000 log calls took \(elapsed)")
        print("10,000 log calls (LogLama down, capacity 100): \(elapsed)")
        #expect(shipper.pendingCount == 100)
        #expect(shipper.droppedCount == 9_900)

        // LogLama is down: the batch goes back, nothing more is lost.
        await #expect(throws: LogShipper.ShipError.self) { try await shipper.flush() }
        #expect(shipper.pendingCount == 100)
        #expect(shipper.droppedCount == 9_900)

        _ = consume reservation  // LogLama comes back on the same port
        try await withLogLama(port: port) { bound in
            #expect(bound == port)
            try await shipper.flush()
            #expect(shipper.pendingCount == 0)
            let (kept, keptTotal) = try await queryLogs(port: port, component: "down")
            #expect(keptTotal == 100)
            #expect(kept.first?.message == "while down 0")
            #expect(kept.last?.message == "while down 99")
            let (reports, reportTotal) = try await queryLogs(port: port, component: LogShipper.component)
            #expect(reportTotal == 1)
            #expect(reports.first?.level == "WARNING")
            #expect(reports.first?.message == "9900 log records dropped")

            // Reported once: the next flush carries no second report.
            logger.info("after")
            try await shipper.flush()
            #expect(try await queryLogs(port: port, component: LogShipper.component).total == 1)
            #expect(shipper.droppedCount == 9_900)
        }
    }

    @Test func backgroundLoopShipsWithoutAnExplicitFlush() async throws {
        try await withLogLama { port in
            let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:\(port)", batchSize: 50,
                                                          flushInterval: .milliseconds(100)))
            let errors = Mutex<[String]>([])
            let loop = shipper.start { error in errors.withLock { $0.append(error.message) } }
            let logger = Logger(label: "loop") {
                LogLamaLogHandler(label: $0, shipper: shipper, metadataProvider: nil, console: .none)
            }
            // A few records: shipped by the interval. Then a full batch: shipped by the batch-size wake-up.
            for n in 0..<3 { logger.warning("tick \(n)") }
            var shipped = 0
            for _ in 0..<200 where shipped < 3 {
                try await Task.sleep(for: .milliseconds(20))
                shipped = shipper.shippedCount
            }
            #expect(shipped == 3)
            for n in 0..<120 { logger.info("burst \(n)") }
            for _ in 0..<200 where shipped < 123 {
                try await Task.sleep(for: .milliseconds(20))
                shipped = shipper.shippedCount
            }
            #expect(shipped == 123)
            // Cancelling the loop makes a final flush.
            logger.error("last words")
            loop.cancel()
            await loop.value
            #expect(shipper.shippedCount == 124)
            #expect(try await queryLogs(port: port, component: "loop").total == 124)
            #expect(errors.withLock { $0 }.isEmpty)
        }
    }
}
