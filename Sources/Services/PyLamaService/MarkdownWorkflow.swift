import Contracts
import PyLLM

/// PyLama's markdown workflow (`POST /execute`, the old WebLama backend's contract): each fenced Python block runs
/// on its own in BEXY; a failing block goes through the fix loop; the fixes that worked are spliced back into the
/// markdown. Blocks in other languages (mermaid, bash, ...) are left alone.
public struct MarkdownWorkflow: Sendable {
    /// One Python block's outcome. `output`/`error` repeat the last run's stdout/stderr, as the original did.
    public struct BlockResult: Encodable, Sendable {
        /// The block's position among all the document's fenced blocks (0-based).
        public var blockId: Int
        public var success: Bool
        /// The original block's run.
        public var stdout: String
        public var stderr: String
        public var output: String
        public var error: String
        /// The fix that ran successfully, if the block needed and got one.
        public var fixedCode: String?
        /// The fix's stdout.
        public var fixedOutput: String?
        /// Every run of this block (the original, then each fix), with BEXY's results.
        public var attempts: [FixAndRun.Attempt]

        enum CodingKeys: String, CodingKey {
            case success, stdout, stderr, output, error, attempts
            case blockId = "block_id"
            case fixedCode = "fixed_code"
            case fixedOutput = "fixed_output"
        }
    }

    /// The whole document's outcome.
    public struct Outcome: Encodable, Sendable {
        public var results: [BlockResult]
        public var updatedMarkdown: String

        enum CodingKeys: String, CodingKey {
            case results
            case updatedMarkdown = "updated_markdown"
        }
    }

    let loop: FixAndRun

    public init(loop: FixAndRun) {
        self.loop = loop
    }

    /// Run every Python block of `markdown` (with up to `maxAttempts` fixes each, none when `fix` is false).
    public func run(markdown: String, fix: Bool, maxAttempts: Int, requester: String, requestID: String) async throws
        -> Outcome {
        let document = MarkdownDocument(markdown)
        var results: [BlockResult] = []
        var replacements: [Int: String] = [:]
        for (index, block) in document.blocks.enumerated() where block.isPython {
            let outcome = try await loop.run(code: block.code, stdin: nil, profile: nil,
                                             maxAttempts: fix ? maxAttempts : 0, model: nil, requester: requester,
                                             requestID: requestID)
            let original = outcome.attempts[0].result
            let fixed = outcome.fixed ? outcome.attempts.last : nil
            if let fixed { replacements[index] = fixed.code }
            results.append(BlockResult(blockId: index, success: outcome.status == "success",
                                       stdout: original.stdout, stderr: original.stderr,
                                       output: (fixed?.result ?? original).stdout,
                                       error: (fixed?.result ?? original).stderr,
                                       fixedCode: fixed?.code, fixedOutput: fixed?.result.stdout,
                                       attempts: outcome.attempts))
        }
        return Outcome(results: results, updatedMarkdown: document.replacing(replacements))
    }
}
