import FoundationEssentials

/// The ecosystem's one timestamp format (LogLama stores it, every service ships it): UTC ISO 8601 with milliseconds, `2026-11-25T08:30:00.123Z`.
///
/// Every stored timestamp has exactly this fixed-width shape, so comparing the strings compares the instants and
/// an index on the column serves range queries and sorting.
public enum UTCTimestamp {
    /// A parsed instant: milliseconds since the Unix epoch, and whether the text was a bare date (`2026-11-25`).
    public struct Parsed: Equatable, Sendable {
        public var milliseconds: Int64
        public var isDateOnly: Bool
    }

    public static let millisecondsPerDay: Int64 = 86_400_000
    /// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants the format can write.
    public static let earliest: Int64 = -62_135_596_800_000
    public static let latest: Int64 = 253_402_300_799_999

    /// Milliseconds since the epoch, now.
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The current time in the format.
    public static func now() -> String {
        format(milliseconds: nowMilliseconds())
    }

    /// Formats `milliseconds` since the epoch (clamped to years 1...9999).
    public static func format(milliseconds: Int64) -> String {
        let clamped = min(max(milliseconds, earliest), latest)
        var (days, msOfDay) = clamped.quotientAndRemainder(dividingBy: millisecondsPerDay)
        if msOfDay < 0 {
            msOfDay += millisecondsPerDay
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let ms = Int(msOfDay)
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at offset: Int, width: Int) {
            var value = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 0, width: 4)
        out[4] = UInt8(ascii: "-")
        put(month, at: 5, width: 2)
        out[7] = UInt8(ascii: "-")
        put(day, at: 8, width: 2)
        out[10] = UInt8(ascii: "T")
        put(ms / 3_600_000, at: 11, width: 2)
        out[13] = UInt8(ascii: ":")
        put(ms / 60_000 % 60, at: 14, width: 2)
        out[16] = UInt8(ascii: ":")
        put(ms / 1000 % 60, at: 17, width: 2)
        out[19] = UInt8(ascii: ".")
        put(ms % 1000, at: 20, width: 3)
        out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Normalizes ISO 8601 text to the format, or `nil` if it is not a valid ISO 8601 date or date-time.
    public static func normalize(_ text: String) -> String? {
        parse(text).map { format(milliseconds: $0.milliseconds) }
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DD(T| )hh:mm[:ss[.fraction]][Z|±hh[:]mm|±hh]`.
    ///
    /// A date-time without an offset is taken as UTC; fractions beyond milliseconds are truncated. Returns `nil` for
    /// anything else, including impossible dates (`2026-02-30`) and instants outside years 1...9999.
    public static func parse(_ text: String) -> Parsed? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Parsed? {
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        let dayStart = daysSinceEpoch(year: year, month: month, day: day) * millisecondsPerDay
        if index == bytes.count {
            return Parsed(milliseconds: dayStart, isDateOnly: true)
        }
        guard expect("T") || expect("t") || expect(" "),
              let hour = digits(2), hour < 24, expect(":"), let minute = digits(2), minute < 60
        else { return nil }
        var second = 0
        var millis = 0
        if expect(":") {
            guard let value = digits(2), value < 60 else { return nil }
            second = value
            if expect(".") || expect(",") {
                var fractionDigits = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    if fractionDigits < 3 {
                        millis = millis * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    }
                    fractionDigits += 1
                    index += 1
                }
                guard fractionDigits > 0 else { return nil }
                for _ in fractionDigits..<max(fractionDigits, 3) { millis *= 10 }
            }
        }
        var offsetMinutes = 0
        if index < bytes.count {
            if expect("Z") || expect("z") {
                // UTC
            } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let offsetHours = digits(2), offsetHours < 24 else { return nil }
                var offsetMinute = 0
                if index < bytes.count {
                    _ = expect(":")
                    guard let value = digits(2), value < 60 else { return nil }
                    offsetMinute = value
                }
                offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
            } else {
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        let local = dayStart + Int64(((hour * 60 + minute) * 60 + second) * 1000 + millis)
        let utc = local - Int64(offsetMinutes) * 60_000
        guard utc >= earliest, utc <= latest else { return nil }
        return Parsed(milliseconds: utc, isDateOnly: false)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (negative before 1970).
    ///
    /// Counts in 400-year eras that start on March 1st, so the leap day is the last day of its year.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400  // 0...399
        let monthFromMarch = (month + 9) % 12  // March = 0 ... February = 11
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
        return Int64(era) * 146_097 + Int64(dayOfEra) - 719_468  // 719468 = days from 0000-03-01 to 1970-01-01
    }

    /// The proleptic Gregorian date `days` after 1970-01-01; the inverse of `daysSinceEpoch`.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = Int(shifted - era * 146_097)  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365
        let monthFromMarch = (5 * dayOfYear + 2) / 153  // 0...11
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + Int(era) * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
