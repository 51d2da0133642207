/// The prompt templates of `POST /code` (the original getllm's): each wraps the task in instructions that steer
/// the model towards one kind of program, and every one asks for a single ```python block.
public enum CodeTemplate: String, CaseIterable, Sendable, Codable {
    case basic
    case platformAware = "platform_aware"
    case dependencyAware = "dependency_aware"
    case testable
    case secure
    case performance
    case pep8

    /// The prompt for `task`; `dependencies` are the only third-party packages a `dependency_aware` program
    /// may import (other templates ignore them).
    public func prompt(task: String, dependencies: [String] = []) -> String {
        let ending = "\n\nAnswer with the complete program in one ```python code block."
        let task = task.trimmingWhitespace
        switch self {
        case .basic:
            return "Write Python 3 code for this task:\n\(task)" + ending
        case .platformAware:
            return "Write Python 3 code for this task:\n\(task)\n\nIt runs on Linux with Python 3.11, without "
                + "network access, in a read-only file system except the current directory and /tmp. Use "
                + "os.path or pathlib for paths; do not assume Windows or macOS." + ending
        case .dependencyAware:
            let allowed = dependencies.isEmpty ? "none: use the standard library only"
                : dependencies.joined(separator: ", ")
            return "Write Python 3 code for this task:\n\(task)\n\nThird-party packages you may import: "
                + "\(allowed). Import nothing else outside the standard library." + ending
        case .testable:
            return "Write Python 3 code for this task:\n\(task)\n\nPut the logic in functions and add unit "
                + "tests with the unittest module that run when the file is executed." + ending
        case .secure:
            return "Write secure Python 3 code for this task:\n\(task)\n\nValidate every input, never use "
                + "eval, exec or shell=True, handle errors explicitly, and keep secrets out of the code." + ending
        case .performance:
            return "Write efficient Python 3 code for this task:\n\(task)\n\nChoose algorithms and data "
                + "structures with good time and memory complexity, and avoid needless copies." + ending
        case .pep8:
            return "Write Python 3 code for this task:\n\(task)\n\nFollow PEP 8: naming, 4-space indentation, "
                + "lines under 80 characters, docstrings for every function." + ending
        }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
