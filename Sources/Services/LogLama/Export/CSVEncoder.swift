import Contracts
import ServiceHTTP

/// One CSV cell, typed so the encoder knows which cells came from people and must be defused.
enum CSVCell: Sendable, Equatable {
    /// No value (a SQL `NULL`, a JSON `null`, an absent key): an empty cell.
    case empty
    /// A number LogLama rendered itself: written as is, never neutralized (`-1` stays a number).
    case number(String)
    /// Text that may come from anyone: quoted as RFC 4180 requires and neutralized against formula injection.
    case text(String)

    /// A cell for an integer column that may be `NULL`.
    init(_ value: Int64?) {
        self = value.map { .number(String($0)) } ?? .empty
    }

    /// A cell for a text column that may be `NULL`.
    init(_ value: String?) {
        self = value.map(CSVCell.text) ?? .empty
    }

    /// A cell for a JSON value: numbers and booleans as numbers, strings as text, objects and arrays as compact JSON
    /// text (sorted keys), `null` as an empty cell.
    init(_ value: JSONValue?) {
        switch value {
        case nil, .null?: self = .empty
        case .bool(let flag)?: self = .number(flag ? "true" : "false")
        case .integer(let number)?: self = .number(String(number))
        case .double(let number)?: self = .number("\(number)")
        case .string(let text)?: self = .text(text)
        case let value?: self = .text(value.serialized)
        }
    }
}

/// Writes CSV as RFC 4180 defines it: UTF-8, CRLF line ends, a field is quoted when it holds a quote, a comma, a CR
/// or a LF, and a quote inside a quoted field is doubled.
///
/// Text cells are defused against spreadsheet formula injection (OWASP "CSV injection"): a cell starting with `=`,
/// `+`, `-`, `@`, a TAB or a CR gets a leading `'`, so Excel, LibreOffice and Google Sheets show it as text instead
/// of evaluating it. Numbers LogLama wrote itself (`CSVCell.number`) are left alone.
enum CSVEncoder {
    /// The record separator RFC 4180 prescribes.
    static let lineEnd = "\r\n"

    /// The first characters that make a spreadsheet read a cell as a formula.
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// A header line: the column names, quoted as needed.
    static func header(_ names: [String]) -> String {
        line(names.map(CSVCell.text))
    }

    /// One record: the cells separated by commas, ending with CRLF.
    static func line(_ cells: [CSVCell]) -> String {
        var out = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { out += "," }
            switch cell {
            case .empty: break
            case .number(let text): out += quotedIfNeeded(text)
            case .text(let text): out += quotedIfNeeded(neutralized(text))
            }
        }
        return out + lineEnd
    }

    /// `text` with a leading `'` when its first character would start a formula (checked per Unicode scalar, so a
    /// combining mark after `=` does not hide it).
    static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaTriggers.contains(first) else { return text }
        return "'" + text
    }

    /// `text` as a field: verbatim, or in double quotes with inner quotes doubled when it holds `"`, `,`, CR or LF.
    ///
    /// Works on UTF-8 bytes, not `Character`s: a quote followed by a combining mark is one `Character` but still a
    /// quote byte a CSV reader sees.
    static func quotedIfNeeded(_ text: String) -> String {
        let quote = UInt8(ascii: "\"")
        let special = text.utf8.contains { byte in
            byte == quote || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        guard special else { return text }
        var bytes: [UInt8] = [quote]
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == quote { bytes.append(quote) }
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }
}
