import Testing

import ServiceKit

@Suite("UTC timestamps") struct UTCTimestampTests {
    @Test(arguments: [
        ("2026-11-25T08:30:00.123Z", "2026-11-25T08:30:00.123Z"),
        ("2026-11-25T08:30:00Z", "2026-11-25T08:30:00.000Z"),
        ("2026-11-25T08:30Z", "2026-11-25T08:30:00.000Z"),
        ("2026-11-25 08:30:00", "2026-11-25T08:30:00.000Z"),
        ("2026-11-25t08:30:00.1z", "2026-11-25T08:30:00.100Z"),
        ("2026-11-25T08:30:00.123456789+00:00", "2026-11-25T08:30:00.123Z"),
        ("2026-11-25T09:30:00+01:00", "2026-11-25T08:30:00.000Z"),
        ("2026-11-25T03:00:00-0530", "2026-11-25T08:30:00.000Z"),
        ("2026-11-25T23:30:00-02", "2026-11-26T01:30:00.000Z"),
        ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"),
        ("2024-02-29", "2024-02-29T00:00:00.000Z"),
        ("2000-02-29T12:00:00,5Z", "2000-02-29T12:00:00.500Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("1900-03-01T00:00:00Z", "1900-03-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    ])
    func normalizes(input: String, expected: String) {
        #expect(UTCTimestamp.normalize(input) == expected)
    }

    @Test(arguments: [
        "", "yesterday", "2026-11-25T", "2026-13-01", "2026-02-29", "1900-02-29", "2026-11-31", "2026-11-25T24:00:00Z",
        "2026-11-25T08:60:00Z", "2026-11-25T08:30:61Z", "2026-11-25T08:30:00.Z", "2026-11-25T08:30:00+1", "26-11-25",
        "2026-11-25T08:30:00 UTC", "9999-12-31T23:30:00-01:00", "2026-11-25T08:30:00Zjunk",
    ])
    func rejects(input: String) {
        #expect(UTCTimestamp.parse(input) == nil)
    }

    @Test func dateOnlyIsFlagged() {
        #expect(UTCTimestamp.parse("2026-11-25")?.isDateOnly == true)
        #expect(UTCTimestamp.parse("2026-11-25T00:00:00Z")?.isDateOnly == false)
    }

    @Test func formatRoundTripsAcrossTheCalendar() throws {
        // Every day from 1600 to 2400 (leap rules of 1600, 1700, 2000, 2100 included) survives a round trip.
        var milliseconds = try #require(UTCTimestamp.parse("1600-01-01T12:34:56.789Z")).milliseconds
        let end = try #require(UTCTimestamp.parse("2400-12-31")).milliseconds
        var failures: [String] = []
        while milliseconds < end {
            let text = UTCTimestamp.format(milliseconds: milliseconds)
            if UTCTimestamp.parse(text)?.milliseconds != milliseconds { failures.append(text) }
            milliseconds += UTCTimestamp.millisecondsPerDay
        }
        #expect(failures.isEmpty)
        #expect(UTCTimestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(milliseconds: 1_767_225_600_250) == "2026-01-01T00:00:00.250Z")
    }

    @Test func formatsEpochMillisecondsAsUTC() {
        #expect(UTCTimestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(milliseconds: 1_795_595_400_123) == "2026-11-25T08:30:00.123Z")
        #expect(UTCTimestamp.format(milliseconds: 951_782_400_009) == "2000-02-29T00:00:00.009Z")
        #expect(UTCTimestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }
}
