/// The byte layout of the hand-off's messages: fields in a fixed order, integers as 8 bytes big-endian, byte strings
/// and text as a 4-byte big-endian length and the bytes, optionals as a presence byte first. No reflection and no
/// JSON: `bexy exec` pays for every microsecond of encoding on the caller's clock.
struct HandoffWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func flag(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func integer(_ value: Int) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func data(_ value: [UInt8]) {
        bytes += HandoffFrame.length(value.count)
        bytes += value
    }

    mutating func text(_ value: String) { data(Array(value.utf8)) }

    mutating func optionalInteger(_ value: Int?) {
        flag(value != nil)
        if let value { integer(value) }
    }

    mutating func optionalText(_ value: String?) {
        flag(value != nil)
        if let value { text(value) }
    }

    mutating func texts(_ values: [String]) {
        integer(values.count)
        for value in values { text(value) }
    }
}

/// Reads what `HandoffWriter` wrote, refusing anything short or malformed.
struct HandoffReader {
    /// The message ended early or holds an impossible value.
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Every byte was read.
    var atEnd: Bool { offset == bytes.count }

    mutating func byte() throws(Malformed) -> UInt8 {
        guard offset < bytes.count else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func flag() throws(Malformed) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }

    mutating func integer() throws(Malformed) -> Int {
        guard bytes.count - offset >= 8 else { throw Malformed() }
        defer { offset += 8 }
        return bytes[offset..<offset + 8].reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func data() throws(Malformed) -> [UInt8] {
        guard bytes.count - offset >= 4 else { throw Malformed() }
        let count = HandoffFrame.length(of: Array(bytes[offset..<offset + 4]))
        offset += 4
        guard bytes.count - offset >= count else { throw Malformed() }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func text() throws(Malformed) -> String {
        guard let value = String(validating: try data(), as: UTF8.self) else { throw Malformed() }
        return value
    }

    mutating func optionalInteger() throws(Malformed) -> Int? {
        try flag() ? try integer() : nil
    }

    mutating func optionalText() throws(Malformed) -> String? {
        try flag() ? try text() : nil
    }

    mutating func texts() throws(Malformed) -> [String] {
        let count = try integer()
        guard count >= 0, count <= bytes.count - offset else { throw Malformed() }
        return try (0..<count).map { _ throws(Malformed) in try text() }
    }
}
