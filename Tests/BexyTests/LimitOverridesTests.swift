import FoundationEssentials
import Jail
import Testing

@testable import Bexy

private let strictLimits = ResourceLimits(
    wallTimeMs: 10_000, cpuTimeMs: 5_000, memoryBytes: 128 << 20, pids: 16, cpus: 1.0, openFiles: 64,
    fileSizeBytes: 1 << 20, stackBytes: 8 << 20, stdoutBytes: 1 << 20, stderrBytes: 1 << 20,
    tmpBytes: 16 << 20, workdirBytes: 16 << 20)

@Suite struct LimitOverridesTests {
    @Test func emptyOverridesKeepTheProfile() throws {
        #expect(LimitOverrides().isEmpty)
        #expect(try LimitOverrides().applied(to: strictLimits) == strictLimits)
    }

    @Test func overridesTighten() throws {
        let overrides = LimitOverrides(timeoutMs: 2_000, cpuTimeMs: 1_000, memoryBytes: 64 << 20, pids: 4,
                                       openFiles: 32, fileSizeBytes: 4096, stdoutBytes: 1024, stderrBytes: 2048,
                                       tmpBytes: 1 << 20)
        let limits = try overrides.applied(to: strictLimits)
        #expect(limits.wallTimeMs == 2_000)
        #expect(limits.cpuTimeMs == 1_000)
        #expect(limits.memoryBytes == 64 << 20)
        #expect(limits.pids == 4)
        #expect(limits.openFiles == 32)
        #expect(limits.fileSizeBytes == 4096)
        #expect(limits.stdoutBytes == 1024)
        #expect(limits.stderrBytes == 2048)
        #expect(limits.tmpBytes == 1 << 20)
        // Untouched fields stay.
        #expect(limits.cpus == strictLimits.cpus)
        #expect(limits.stackBytes == strictLimits.stackBytes)
        #expect(limits.workdirBytes == strictLimits.workdirBytes)
    }

    @Test func equalValuesAreAllowed() throws {
        let overrides = LimitOverrides(timeoutMs: 10_000, memoryBytes: 128 << 20)
        #expect(try overrides.applied(to: strictLimits) == strictLimits)
    }

    @Test func loosenIsRejectedNamingFieldAndMaximum() {
        let error = #expect(throws: LimitOverrides.Violation.self) {
            try LimitOverrides(memoryBytes: 1 << 30).applied(to: strictLimits)
        }
        #expect(error == LimitOverrides.Violation(field: .memoryBytes, requested: 1 << 30, maximum: 134_217_728))

        let timeout = #expect(throws: LimitOverrides.Violation.self) {
            try LimitOverrides(timeoutMs: 10_001).applied(to: strictLimits)
        }
        #expect(timeout == LimitOverrides.Violation(field: .timeoutMs, requested: 10_001, maximum: 10_000))
    }

    @Test(arguments: [0, -1, Int.min])
    func nonPositiveValuesAreRejected(_ value: Int) {
        let error = #expect(throws: LimitOverrides.Violation.self) {
            try LimitOverrides(cpuTimeMs: value).applied(to: strictLimits)
        }
        #expect(error == LimitOverrides.Violation(field: .cpuTimeMs, requested: value, maximum: nil))
    }

    @Test func valuesAreDescribedInTheUnitsPeopleGive() {
        #expect(LimitOverrides.Field.timeoutMs.describe(60_000) == "60 s")
        #expect(LimitOverrides.Field.timeoutMs.describe(1_500) == "1.5 s")
        #expect(LimitOverrides.Field.memoryBytes.describe(128 << 20) == "128 MiB")
        #expect(LimitOverrides.Field.pids.describe(64) == "64")
    }

    @Test func decodesSnakeCaseRequestKeys() throws {
        let json = #"{"timeout_ms": 500, "memory_bytes": 1048576, "stdout_bytes": 10}"#
        let overrides = try JSONDecoder().decode(LimitOverrides.self, from: Data(json.utf8))
        #expect(overrides == LimitOverrides(timeoutMs: 500, memoryBytes: 1 << 20, stdoutBytes: 10))
    }

    static let validSizes: [(String, Int)] = [
        ("0", 0), ("1048576", 1_048_576), ("10B", 10), ("512k", 524_288), ("512K", 524_288),
        ("512KiB", 524_288), ("128M", 134_217_728), ("128MiB", 134_217_728), ("128mb", 134_217_728),
        ("1G", 1_073_741_824), ("1GiB", 1_073_741_824), ("2T", 2_199_023_255_552), (" 64M ", 67_108_864),
    ]

    @Test(arguments: validSizes)
    func byteSizeParses(_ text: String, _ expected: Int) throws {
        #expect(try ByteSize.parse(text) == expected)
    }

    @Test(arguments: ["", "   ", "abc", "M", "12X", "12 M", "1.5G", "-1", "+5", "0x10", "99999999999999999999",
                      "9999999999T", "128MiBs", "١٢"])
    func byteSizeRejectsGarbage(_ text: String) {
        let error = #expect(throws: ByteSize.ParseError.self) { try ByteSize.parse(text) }
        #expect(error?.input == text)
        #expect(error?.description.hasPrefix("invalid size \"\(text)\": ") == true)
    }

    @Test func byteSizeMessagesAreHelpful() {
        let unit = #expect(throws: ByteSize.ParseError.self) { try ByteSize.parse("12X") }
        #expect(unit?.message.contains("unknown unit \"X\"") == true)
        let fraction = #expect(throws: ByteSize.ParseError.self) { try ByteSize.parse("1.5G") }
        #expect(fraction?.message.contains("1536M") == true)
    }
}
