import SheLLama
import Testing

/// The text gate every path passes first (the kernel check comes after it: see WorkspaceStoreTests).
@Suite struct WorkspacePathTests {
    @Test(arguments: ["a.txt", "docs/readme.md", "docs/", "a b/c-d_e.f", "ünïcode/ファイル", ".hidden", "..dots", "a..b"])
    func plainRelativePathsPass(_ text: String) throws {
        let path = try WorkspacePath(text)
        #expect(path.description == (text.hasSuffix("/") ? String(text.dropLast()) : text))
    }

    @Test(arguments: [
        "", "/etc/passwd", "..", "../x", "a/../../x", "a/./b", "./a", "a//b", "a\0b", "a\nb", "a\\b", "..\\x",
        "%2e%2e/x", "a%2fb", "%2F", "a%5cb", "%00", "%252e", "100%", String(repeating: "x", count: 256),
        String(repeating: "a/", count: 2100),
    ])
    func everythingElseIsRefusedNamingThePath(_ text: String) {
        #expect(throws: WorkspaceError.self) { try WorkspacePath(text) }
        do {
            _ = try WorkspacePath(text)
        } catch {
            #expect((error.code == .invalidPath || error.code == .escapes) && error.path == text)
        }
    }

    @Test func theTopIsAllowedOnlyWhereAsked() throws {
        #expect(try WorkspacePath("", allowTop: true).components.isEmpty)
        #expect(try WorkspacePath(".", allowTop: true).components.isEmpty)
        #expect(throws: WorkspaceError.self) { try WorkspacePath(".") }
    }
}
