import Contracts
import FoundationEssentials

/// Why an analysis produced no report: the analyzer job did not finish cleanly, or printed something that is not
/// a valid report. Either way the sandbox's verdict is in `result`.
public struct AnalysisError: Error, Sendable, CustomStringConvertible {
    /// The analyzer job's result (its audit record has the same id).
    public var result: ExecutionResult
    public var message: String
    public var description: String { message }
}

/// What `POST /analyze` answers: the program's imports by root module, classified as standard library, installed
/// third party or unknown; the packages to install for the non-standard ones; a syntax error; risky constructs.
///
/// Made inside the strict sandbox by `AnalyzerScript` (Python's own `ast`), never in the service process:
/// `request(code:requester:frontDoor:)` builds the job, `decode(_:)` checks what it printed.
public struct ImportAnalysis: Codable, Sendable, Equatable {
    /// Where an imported root module comes from.
    public enum Category: String, Codable, Sendable, CaseIterable {
        case standardLibrary = "standard_library"
        case thirdParty = "third_party"
        case unknown
    }

    /// Where the code does not parse. `line` and `column` are 1-based; nil when Python gives no position
    /// (e.g. a NUL byte in the source).
    public struct SyntaxProblem: Codable, Sendable, Equatable {
        public var message: String
        public var line: Int?
        public var column: Int?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(line, forKey: .line)
            try c.encode(column, forKey: .column)
        }
    }

    /// A risky construct (eval, os.system, subprocess, ctypes, socket, writing outside /tmp, ...) at `line`.
    public struct Warning: Codable, Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    /// Root module (`http` for `from http.server import X`) -> its category.
    public var imports: [String: Category]
    public var standardLibrary: [String]
    public var thirdParty: [String]
    public var unknown: [String]
    /// Distribution names to install for the third-party and unknown modules (`PyYAML` for `yaml`).
    public var requiredPackages: [String]
    public var syntaxError: SyntaxProblem?
    public var warnings: [Warning]

    enum CodingKeys: String, CodingKey {
        case imports, unknown, warnings
        case standardLibrary = "standard_library", thirdParty = "third_party"
        case requiredPackages = "required_packages", syntaxError = "syntax_error"
    }

    // `syntax_error` is always present (null when the code parses): clients test for presence.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imports, forKey: .imports)
        try c.encode(standardLibrary, forKey: .standardLibrary)
        try c.encode(thirdParty, forKey: .thirdParty)
        try c.encode(unknown, forKey: .unknown)
        try c.encode(requiredPackages, forKey: .requiredPackages)
        try c.encode(syntaxError, forKey: .syntaxError)
        try c.encode(warnings, forKey: .warnings)
    }

    /// The analyzer job for `code`: the analyzer is the program, `code` its stdin, under the `strict` profile.
    /// It is audited like every execution (the record's code hash is the analyzer's).
    public static func request(code: [UInt8], requester: String, frontDoor: AuditRecord.FrontDoor) -> ExecutionRequest {
        ExecutionRequest(code: Array(AnalyzerScript.source.utf8), profile: "strict", stdin: .bytes(code),
                         requester: requester, frontDoor: frontDoor)
    }

    /// The report the analyzer job printed, checked: the job succeeded, its stdout decodes, and the lists agree
    /// with `imports` (each is the sorted set of root modules of its category, names are plain root module names).
    public static func decode(_ result: ExecutionResult) throws(AnalysisError) -> ImportAnalysis {
        guard result.status == .ok else {
            throw AnalysisError(result: result, message: "the analyzer job ended with \(result.status.rawValue)"
                                + (result.errorMessage.map { ": \($0)" } ?? ""))
        }
        let report: ImportAnalysis
        do {
            report = try JSONDecoder().decode(ImportAnalysis.self, from: Data(result.stdout.utf8))
        } catch {
            throw AnalysisError(result: result, message: "the analyzer printed no valid report: \(error)")
        }
        for category in Category.allCases {
            let expected = report.imports.filter { $0.value == category }.keys.sorted()
            guard report[category] == expected else {
                throw AnalysisError(result: result, message: "the analyzer's \(category.rawValue) list disagrees "
                                    + "with its imports")
            }
        }
        guard report.imports.keys.allSatisfy(isModuleName) else {
            throw AnalysisError(result: result, message: "the analyzer reported a module name that is not an identifier")
        }
        return report
    }

    /// The modules of one category.
    public subscript(category: Category) -> [String] {
        switch category {
        case .standardLibrary: standardLibrary
        case .thirdParty: thirdParty
        case .unknown: unknown
        }
    }

    /// A root module name as `ast` reports it: not empty, no dots, slashes, spaces or control characters.
    private static func isModuleName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "." && $0 != "/" && $0 != "\u{7f}" }
    }
}
