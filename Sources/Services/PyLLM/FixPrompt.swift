/// The escalating prompts of `POST /fix-code` and the fix loop (the original's strategy): attempt 1 asks for a
/// fix; attempt 2 focuses on imports or syntax when the error is of that kind, else asks for a different
/// approach; attempt 3 asks for a rewrite with the standard library only. There is no attempt 4.
public struct FixPrompt: Sendable, Equatable {
    /// Which strategy the prompt uses (reported with every attempt).
    public enum Kind: String, Sendable, Codable {
        case fix
        case importFocused = "import_focused"
        case syntaxFocused = "syntax_focused"
        case differentApproach = "different_approach"
        case standardLibraryRewrite = "stdlib_rewrite"
    }

    public static let maxAttempt = 3

    public var kind: Kind
    public var text: String

    /// The prompt for fixing `code` that failed with `error` on `attempt` (1...3).
    ///
    /// - Parameter isLogicError: the program ran but did the wrong thing; `error` says what was wrong.
    public init(code: String, error: String, attempt: Int, isLogicError: Bool = false) {
        let problem = isLogicError ? "runs but does not do what it should:" : "fails with this error:"
        let shown = "This Python program \(problem)\n\(error.trimmingWhitespace)\n\nThe program:\n```python\n"
            + "\(code)\n```\n\n"
        let ending = "\n\nAnswer with the complete corrected program in one ```python code block."
        switch attempt {
        case ...1:
            kind = .fix
            text = shown + "Fix it." + ending
        case 2 where Self.mentionsImport(error):
            kind = .importFocused
            text = shown + "The error is about an import. Remove or replace every import of a module that is not "
                + "in Python's standard library, and check the names imported from each module." + ending
        case 2 where Self.mentionsSyntax(error):
            kind = .syntaxFocused
            text = shown + "The error is a syntax error. Check indentation, brackets, colons and quotes line by "
                + "line, and fix every syntax problem." + ending
        case 2:
            kind = .differentApproach
            text = shown + "An earlier fix did not work. Solve the same task with a different approach." + ending
        default:
            kind = .standardLibraryRewrite
            text = shown + "Earlier fixes did not work. Rewrite the program from scratch for the same task, using "
                + "only Python's standard library and the simplest correct approach." + ending
        }
    }

    static func mentionsImport(_ error: String) -> Bool {
        error.contains("ImportError") || error.contains("ModuleNotFoundError") || error.contains("No module named")
    }

    static func mentionsSyntax(_ error: String) -> Bool {
        error.contains("SyntaxError") || error.contains("IndentationError") || error.contains("TabError")
    }
}
