import PyLamaService
import Testing

@Suite struct MarkdownDocumentTests {
    let text = """
        # Title
        ```python
        print(1)
        ```
        text
        ```mermaid
        graph TD; A-->B
        ```
        ~~~~py {.run}
        print(undefined)
        ~~~~
        ```python
        unclosed = 1
        """

    @Test func findsEveryFencedBlockWithItsLanguage() {
        let document = MarkdownDocument(text)
        #expect(document.blocks.map(\.language) == ["python", "mermaid", "py", "python"])
        #expect(document.blocks.map(\.isPython) == [true, false, true, true])
        #expect(document.blocks[0].code == "print(1)")
        #expect(document.blocks[2].code == "print(undefined)")
        #expect(document.blocks[3].code == "unclosed = 1")
    }

    @Test func replacingKeepsEverythingElseByteForByte() {
        let document = MarkdownDocument(text)
        #expect(document.replacing([:]) == text)
        let updated = document.replacing([2: "x = 1\nprint(x)"])
        #expect(updated == text.replacingOccurrences(of: "print(undefined)", with: "x = 1\nprint(x)"))
        #expect(MarkdownDocument(updated).blocks[1].code == "graph TD; A-->B")
    }
}
