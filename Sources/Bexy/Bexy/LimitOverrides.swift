import Contracts
import Jail

/// The limits one request asks for on top of its profile. Overrides can only tighten a profile, never loosen it.
///
/// Every field is optional; `nil` keeps the profile's value. The field names in errors (and in JSON) are the
/// snake_case request names: `timeout_ms`, `cpu_time_ms`, `memory_bytes`, ...
public struct LimitOverrides: Sendable, Equatable, Codable {
    /// Wall-clock limit in milliseconds (the profile's `wall_time_ms`).
    public var timeoutMs: Int?
    /// CPU time limit in milliseconds (the profile's `cpu_time_ms`).
    public var cpuTimeMs: Int?
    /// Memory limit in bytes (the profile's `memory_bytes`).
    public var memoryBytes: Int?
    /// Maximum number of processes and threads (the profile's `pids`).
    public var pids: Int?
    /// Maximum number of open files (the profile's `open_files`).
    public var openFiles: Int?
    /// Maximum size of a file the job writes, in bytes (the profile's `file_size_bytes`).
    public var fileSizeBytes: Int?
    /// Cap on captured stdout, in bytes (the profile's `stdout_bytes`).
    public var stdoutBytes: Int?
    /// Cap on captured stderr, in bytes (the profile's `stderr_bytes`).
    public var stderrBytes: Int?
    /// Size of the job's /tmp, in bytes (the profile's `tmp_bytes`).
    public var tmpBytes: Int?

    /// Overrides with the given fields set; omitted fields keep the profile's values.
    public init(timeoutMs: Int? = nil, cpuTimeMs: Int? = nil, memoryBytes: Int? = nil, pids: Int? = nil,
                openFiles: Int? = nil, fileSizeBytes: Int? = nil, stdoutBytes: Int? = nil, stderrBytes: Int? = nil,
                tmpBytes: Int? = nil) {
        self.timeoutMs = timeoutMs
        self.cpuTimeMs = cpuTimeMs
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.openFiles = openFiles
        self.fileSizeBytes = fileSizeBytes
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.tmpBytes = tmpBytes
    }

    /// The JSON keys are the fields' request names.
    typealias CodingKeys = Field

    /// Whether no field is set.
    public var isEmpty: Bool { self == LimitOverrides() }

    /// `limits` with every set field applied.
    ///
    /// - Throws: `Violation` naming the override when a value is zero or negative, or larger than `limits` allow.
    ///   Nothing is applied unless everything is valid.
    public func applied(to limits: ResourceLimits) throws(Violation) -> ResourceLimits {
        var result = limits
        for field in Field.allCases {
            guard let requested = self[keyPath: field.override] else { continue }
            let maximum = result[keyPath: field.limit]
            guard requested > 0 else { throw Violation(field: field, requested: requested, maximum: nil) }
            guard requested <= maximum else { throw Violation(field: field, requested: requested, maximum: maximum) }
            result[keyPath: field.limit] = requested
        }
        return result
    }

    /// One override: its request name, where it sits here and which profile limit it tightens.
    public enum Field: String, CodingKey, CaseIterable, Sendable {
        case timeoutMs = "timeout_ms", cpuTimeMs = "cpu_time_ms", memoryBytes = "memory_bytes", pids
        case openFiles = "open_files", fileSizeBytes = "file_size_bytes", stdoutBytes = "stdout_bytes"
        case stderrBytes = "stderr_bytes", tmpBytes = "tmp_bytes"

        var override: KeyPath<LimitOverrides, Int?> {
            switch self {
            case .timeoutMs: \.timeoutMs
            case .cpuTimeMs: \.cpuTimeMs
            case .memoryBytes: \.memoryBytes
            case .pids: \.pids
            case .openFiles: \.openFiles
            case .fileSizeBytes: \.fileSizeBytes
            case .stdoutBytes: \.stdoutBytes
            case .stderrBytes: \.stderrBytes
            case .tmpBytes: \.tmpBytes
            }
        }

        /// The profile limit this override tightens.
        public var limit: WritableKeyPath<ResourceLimits, Int> {
            switch self {
            case .timeoutMs: \.wallTimeMs
            case .cpuTimeMs: \.cpuTimeMs
            case .memoryBytes: \.memoryBytes
            case .pids: \.pids
            case .openFiles: \.openFiles
            case .fileSizeBytes: \.fileSizeBytes
            case .stdoutBytes: \.stdoutBytes
            case .stderrBytes: \.stderrBytes
            case .tmpBytes: \.tmpBytes
            }
        }

        /// `value` (in this field's internal unit) in the unit people give it: `10 s`, `128 MiB`, `64`.
        public func describe(_ value: Int) -> String {
            switch self {
            case .timeoutMs, .cpuTimeMs:
                value % 1000 == 0 ? "\(value / 1000) s" : "\(Double(value) / 1000) s"
            case .memoryBytes:
                value % (1 << 20) == 0 ? "\(value >> 20) MiB" : "\(value) bytes"
            case .pids, .openFiles, .fileSizeBytes, .stdoutBytes, .stderrBytes, .tmpBytes:
                "\(value)"
            }
        }
    }

    /// An override that is not positive, or looser than the profile allows.
    public struct Violation: Error, Sendable, Equatable {
        public var field: Field
        /// The value asked for, in the field's internal unit.
        public var requested: Int
        /// The profile's limit the request went past; nil when the value is not positive.
        public var maximum: Int?

        public init(field: Field, requested: Int, maximum: Int?) {
            self.field = field
            self.requested = requested
            self.maximum = maximum
        }
    }
}

/// The limits as the front doors take them (a timeout in seconds, memory in MiB), checked and converted to the
/// overrides' units in this one place for the CLI and the HTTP body alike.
extension LimitOverrides {
    /// A front door's limit value that is not a positive number; the front door prefixes its own field name.
    public struct InvalidValue: Error, Sendable, Equatable {
        /// What is wrong, e.g. `must be a positive number of seconds`.
        public var message: String
    }

    /// The wall-clock limit `seconds` ask for, in milliseconds, rounded up. A value beyond any profile's limit (or
    /// infinite) becomes `Int.max`, so the profile check refuses it, naming the maximum.
    ///
    /// - Throws: `InvalidValue` unless `seconds` is a positive number.
    /// The smallest memory limit a request may ask for, in MiB: below it python3 cannot start, and the job
    /// would end as a sandbox error rather than a clear refusal.
    public static let minimumMemoryMebibytes: Double = 16

    public static func timeoutMs(seconds: Double) throws(InvalidValue) -> Int {
        guard seconds > 0 else { throw InvalidValue(message: "must be a positive number of seconds") }
        return seconds < 1e12 ? Int((seconds * 1000).rounded(.up)) : Int.max
    }

    /// The memory limit `mebibytes` ask for, in bytes (`Int.max` beyond any profile's limit).
    ///
    /// - Throws: `InvalidValue` unless `mebibytes` is a positive number.
    public static func memoryBytes(mebibytes: Double) throws(InvalidValue) -> Int {
        guard mebibytes > 0 else { throw InvalidValue(message: "must be a positive number of MiB") }
        guard mebibytes >= minimumMemoryMebibytes else {
            throw InvalidValue(message: "must be at least \(Int(minimumMemoryMebibytes)) MiB, what the interpreter needs to start")
        }
        return mebibytes < 1e12 ? Int((mebibytes * 1_048_576).rounded(.up)) : Int.max
    }
}

/// Human byte sizes for the command line: `"1048576"`, `"512k"`, `"128M"`, `"128MiB"`, `"1G"`.
///
/// Units are binary and case-insensitive: `K`/`KiB`/`KB` = 1024, `M`/`MiB`/`MB` = 1024², `G`/`GiB`/`GB` = 1024³,
/// `T`/`TiB`/`TB` = 1024⁴ (as in `docker --memory` and `ulimit`); `B` or no unit means bytes. The number is a
/// non-negative integer; fractions, signs, spaces inside and overflow are rejected.
public enum ByteSize {
    /// Why a size could not be parsed; the message quotes the input and shows a valid example.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text that was given.
        public var input: String
        /// What is wrong with it.
        public var message: String

        /// `invalid size "12X": ...`
        public var description: String { "invalid size \(ErrorText.quoted(input)): \(message)" }
    }

    /// The number of bytes `text` denotes.
    public static func parse(_ text: String) throws(ParseError) -> Int {
        let trimmed = String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        func failure(_ message: String) -> ParseError { ParseError(input: text, message: message) }
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = trimmed.dropFirst(digits.count)
        guard !digits.isEmpty else {
            if trimmed.isEmpty { throw failure("empty; give a byte count such as 1048576 or 128M") }
            throw failure("must start with a non-negative whole number, e.g. 1048576, 512K, 128M or 1G")
        }
        let multiplier: Int
        switch unit.lowercased() {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        case "t", "tb", "tib": multiplier = 1 << 40
        default:
            if unit.first == "." || unit.first == "," {
                throw failure("fractions are not supported; use a smaller unit, e.g. 1536M instead of 1.5G")
            }
            throw failure("unknown unit \(ErrorText.quoted(String(unit))); use B, K, M, G or T (optionally KiB, MiB, ...)")
        }
        guard let number = Int(digits) else { throw failure("number too large") }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw failure("number too large") }
        return bytes
    }
}
