import Logging
import ServiceKit

/// A swift-log `LogHandler` that ships every record to LogLama through a `LogShipper` and also writes it to a
/// console handler (standard error by default), so a service's terminal output is kept.
///
/// Mapping to LogLama's record: the logger label is `logger_name`; levels map as `Logger.Level.logLamaName`
/// (trace/debug -> DEBUG, info/notice -> INFO, warning, error, critical); handler metadata, then the metadata
/// provider's, then the call's (later wins) become the `context` object of strings; the metadata key
/// `request_id` is also sent as `request_id`; `file`, `function`, `line` and `source` become `file_path`,
/// `function`, `line_number` and `module`; an attached error becomes `exception_info`; the timestamp is the
/// time of the call, UTC ISO 8601 with milliseconds. Logging never blocks: see `LogShipper.enqueue(_:)`.
///
/// ```swift
/// let shipper = LogShipper(configuration: .init(url: "http://127.0.0.1:5000"))
/// LoggingSystem.bootstrap(LogLamaLogHandler.bootstrap(shipper: shipper), metadataProvider: nil)
/// let shipping = shipper.start()   // or run shipper.run() in the service's task group
/// ```
public struct LogLamaLogHandler: LogHandler {
    /// Where console output goes, besides LogLama.
    public struct ConsoleOutput: Sendable {
        let make: @Sendable (_ label: String, _ provider: Logger.MetadataProvider?) -> (any LogHandler)?

        /// A console made by `make` from the logger's label and metadata provider (`nil`: no console output).
        public init(_ make: @escaping @Sendable (_ label: String, _ provider: Logger.MetadataProvider?)
                        -> (any LogHandler)?) {
            self.make = make
        }

        /// swift-log's `StreamLogHandler` on standard error (the default).
        public static let standardError = ConsoleOutput { StreamLogHandler.standardError(label: $0, metadataProvider: $1) }
        /// swift-log's `StreamLogHandler` on standard output.
        public static let standardOutput = ConsoleOutput { StreamLogHandler.standardOutput(label: $0, metadataProvider: $1) }
        /// No console output: LogLama only.
        public static let none = ConsoleOutput { _, _ in nil }
    }

    /// The logger's label, sent as `logger_name`.
    public let label: String
    /// Where records go.
    public let shipper: LogShipper
    private var console: (any LogHandler)?

    public var metadataProvider: Logger.MetadataProvider? {
        didSet { console?.metadataProvider = metadataProvider }
    }

    public var metadata: Logger.Metadata = [:] {
        didSet { console?.metadata = metadata }
    }

    public var logLevel: Logger.Level = .info {
        didSet { console?.logLevel = logLevel }
    }

    /// A handler for the logger `label`; `metadataProvider` defaults to the one bootstrapped globally.
    public init(label: String, shipper: LogShipper,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
                console: ConsoleOutput = .standardError) {
        self.label = label
        self.shipper = shipper
        self.metadataProvider = metadataProvider
        self.console = console.make(label, metadataProvider)
        self.console?.logLevel = logLevel
    }

    /// A factory for `LoggingSystem.bootstrap(_:metadataProvider:)`: every logger ships to `shipper` and keeps
    /// its console output on `console`.
    public static func bootstrap(shipper: LogShipper, console: ConsoleOutput = .standardError)
        -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
        { label, provider in LogLamaLogHandler(label: label, shipper: shipper, metadataProvider: provider, console: console) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        console?.log(event: event)
        shipper.enqueue(record(for: event))
    }

    /// The LogLama record for `event`, stamped now.
    func record(for event: LogEvent) -> ShippedLogRecord {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        var context: [String: String] = [:]
        context.reserveCapacity(merged.count)
        for (key, value) in merged { context[key] = value.logLamaString }
        return ShippedLogRecord(
            level: event.level.logLamaName, message: event.message.description, loggerName: label,
            timestamp: UTCTimestamp.now(), context: context, requestID: context["request_id"],
            filePath: event.file, function: event.function, lineNumber: Int(event.line), module: event.source,
            exceptionInfo: event.error.map { String(reflecting: $0) })
    }
}

extension Logger.MetadataValue {
    /// A string as it would be printed: a string as is, anything else as its description.
    fileprivate var logLamaString: String {
        switch self {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array, .dictionary: description
        }
    }
}
