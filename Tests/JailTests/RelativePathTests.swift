import Testing
@testable import Jail

/// A `RelativePath` is checked once, when it is made.
@Suite struct RelativePathTests {
    @Test(arguments: ["", "/abs", "a/../b", "./a", "a//b", "a\0b", "..", ".", "a/", "a/.", "/", "a/b/..", "../escape",
                      "/etc/passwd", "a/../../b"])
    func unsafePathsAreRefused(path: String) {
        do {
            let made = try RelativePath(path)
            Issue.record("accepted \(path.debugDescription) as \(made.components)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("must be relative"))
        }
    }

    @Test(arguments: [("a/b/c.txt", ["a", "b", "c.txt"]), ("main.py", ["main.py"]),
                      (".hidden/..dots/x", [".hidden", "..dots", "x"])])
    func safePathsKeepTheirComponents(path: String, components: [String]) throws {
        let made = try RelativePath(path)
        #expect(made.components == components)
        #expect(made.string == path)
    }

    @Test func aLiteralIsTheSameAsAMadePath() throws {
        let literal: RelativePath = "data/in.txt"
        let text = "data/in.txt"
        #expect(try RelativePath(text) == literal)
    }
}
