import ServiceKit

/// A `--since`/`--until` value: an ISO 8601 date or date-time, or a duration back from now (`90s`, `15m`, `2h`, `7d`).
struct TimeWindow {
    /// The instant in LogLama's timestamp format, or nil when `text` is neither form.
    static func instant(_ text: String, now: Int64 = UTCTimestamp.nowMilliseconds()) -> String? {
        if let normalized = UTCTimestamp.normalize(text) { return normalized }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (back, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow ? nil : UTCTimestamp.format(milliseconds: now - back)
    }

    /// What a bad value is told.
    static let expected = "expected an ISO 8601 date or date-time, or a duration such as 90s, 15m, 2h or 7d"
}
