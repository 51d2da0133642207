/// The code in a model's answer, by the original getllm's rule: the first ```python (or ```py) fenced block;
/// failing that, the first fenced block of any language; failing that, the whole answer.
public enum CodeExtraction {
    public static func python(from answer: String) -> String {
        let blocks = fencedBlocks(answer)
        if let python = blocks.first(where: { ["python", "python3", "py"].contains($0.language.lowercased()) }) {
            return python.body
        }
        if let first = blocks.first { return first.body }
        return answer.trimmingWhitespace
    }

    /// Every fenced block (```lang ... ```) of `text`, in order; an unclosed last block runs to the end.
    public static func fencedBlocks(_ text: String) -> [(language: String, body: String)] {
        var blocks: [(language: String, body: String)] = []
        var current: (language: String, lines: [Substring])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.language, open.lines.joined(separator: "\n")))
                    current = nil
                } else {
                    current = (String(trimmed.dropFirst(3)).trimmingWhitespace, [])
                }
            } else {
                current?.lines.append(line)
            }
        }
        if let open = current, !open.lines.isEmpty {
            blocks.append((open.language, open.lines.joined(separator: "\n")))
        }
        return blocks
    }
}
