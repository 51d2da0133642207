/// A markdown document's fenced code blocks, with where each sits, so a block's code can be replaced in place.
public struct MarkdownDocument: Sendable {
    /// One fenced block: its language (the info string's first word), its code, and its lines in the document.
    public struct Block: Sendable, Equatable {
        public var language: String
        public var code: String
        /// Index of the opening fence's line.
        public var openLine: Int
        /// Index of the closing fence's line (the last line for an unclosed block).
        public var closeLine: Int
        /// Whether the block is Python (`python`, `python3`, `py`).
        public var isPython: Bool { ["python", "python3", "py"].contains(language.lowercased()) }
    }

    public private(set) var lines: [Substring]
    public let blocks: [Block]

    public init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var blocks: [Block] = []
        var open: (line: Int, fence: Substring, language: String)?
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop(while: { $0 == " " })
            guard let fence = Self.fence(trimmed) else { continue }
            if let start = open {
                // A closing fence is at least as long as the opening one and carries no info string.
                if fence.count >= start.fence.count, trimmed.dropFirst(fence.count).allSatisfy({ $0 == " " }) {
                    blocks.append(Block(language: start.language,
                                        code: lines[(start.line + 1)..<index].joined(separator: "\n"),
                                        openLine: start.line, closeLine: index))
                    open = nil
                }
            } else {
                let info = trimmed.dropFirst(fence.count).drop(while: { $0 == " " })
                open = (index, fence, String(info.prefix(while: { $0 != " " && $0 != "{" })))
            }
        }
        if let start = open {
            blocks.append(Block(language: start.language,
                                code: lines[(start.line + 1)...].joined(separator: "\n"),
                                openLine: start.line, closeLine: lines.count - 1))
        }
        self.blocks = blocks
    }

    /// The document with the code of some blocks replaced (by index into `blocks`); everything else is kept byte
    /// for byte.
    public func replacing(_ replacements: [Int: String]) -> String {
        var output: [Substring] = []
        var next = 0
        for (index, block) in blocks.enumerated() {
            guard let code = replacements[index] else { continue }
            output += lines[next...block.openLine]
            output += code.split(separator: "\n", omittingEmptySubsequences: false)
            next = block.closeLine
        }
        output += lines[next...]
        return output.joined(separator: "\n")
    }

    /// The fence (three or more backticks or tildes) a line starts with, if any.
    private static func fence(_ line: Substring) -> Substring? {
        guard let first = line.first, first == "`" || first == "~" else { return nil }
        let fence = line.prefix(while: { $0 == first })
        return fence.count >= 3 ? fence : nil
    }
}
