import Jail

/// A command to run in one of SheLLama's workspaces: which workspace, what to run (a shell command or an argv),
/// where beneath the workspace and with which environment added to the profile's. Made unchecked by a front door;
/// `Engine.prepare` checks it (`check()`) and opens the workspace (`WorkspaceRoot`).
public struct WorkspaceCommand: Sendable, Equatable {
    /// What runs.
    public enum Program: Sendable, Equatable {
        /// `/bin/sh -c <command>`.
        case shell(String)
        /// `argv[0]` (looked up on the job's `PATH`, or a path) with the rest as its arguments, without a shell.
        case argv([String])
    }

    /// The workspace's name: the directory `SHELLAMA_ROOT/<workspace>`.
    public var workspace: String
    public var program: Program
    /// The working directory relative to the workspace, as given; nil: its top.
    public var workingDirectory: String?
    /// Added to the profile's environment.
    public var environment: [String: String]

    /// The profile a workspace command runs under unless it names another.
    public static let defaultProfile = "workspace"
    /// The workspace a command runs in unless it names another.
    public static let defaultWorkspace = "default"
    /// The shell commands run through; it also runs an argv (`exec "$@"`), so that the job's own `PATH` finds the
    /// program, inside the job's root.
    public static let shell = "/bin/sh"

    public init(workspace: String = defaultWorkspace, program: Program, workingDirectory: String? = nil,
                environment: [String: String] = [:]) {
        self.workspace = workspace
        self.program = program
        self.workingDirectory = workingDirectory
        self.environment = environment
    }

    /// What the audit record keeps as the execution's code: the shell command, or the argv, each argument
    /// single-quoted when it is not plain.
    public var text: String {
        switch program {
        case .shell(let command): command
        case .argv(let argv): argv.map(Self.quoted).joined(separator: " ")
        }
    }

    /// The job's program: the shell on the command, or the shell exec'ing the argv.
    var jobCommand: JobCommand {
        switch program {
        case .shell(let command): JobCommand(program: Self.shell, arguments: ["-c", command])
        case .argv(let argv): JobCommand(program: Self.shell, arguments: ["-c", "exec \"$@\"", "sh"] + argv)
        }
    }

    /// `argument` as a shell word: as is when it is plain, else single-quoted.
    static func quoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "_-./:=@%+,".utf8.contains(byte)
        }
        return plain ? argument : "'" + argument.replacing("'", with: "'\\''") + "'"
    }
}

// MARK: - Checks

extension WorkspaceCommand {
    /// Check everything but the file system: the workspace's name, the program, the working directory's form and
    /// the environment. Returns the working directory as a path beneath the workspace (nil: its top).
    ///
    /// - Throws: `RequestRefusal` (400) naming `workspace`, `command`, `argv[i]`, `cwd` or `env.NAME`.
    public func check() throws(RequestRefusal) -> RelativePath? {
        guard Self.isValidName(workspace) else {
            throw RequestRefusal(field: "workspace", message: "'\(workspace)' is not a workspace name "
                                 + "(1-64 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit)")
        }
        switch program {
        case .shell(let command):
            guard !command.isEmpty, !command.utf8.contains(0) else {
                throw RequestRefusal(field: "command", message: "must be a non-empty command without NUL bytes")
            }
        case .argv(let argv):
            guard let first = argv.first, !first.isEmpty else {
                throw RequestRefusal(field: "argv", message: "must name a program: a non-empty first element")
            }
            if let index = argv.firstIndex(where: { $0.utf8.contains(0) }) {
                throw RequestRefusal(field: "argv[\(index)]", message: "must not contain a NUL byte")
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            if let problem = Self.environmentProblem(name: name, value: value) {
                throw RequestRefusal(field: "env.\(name)", message: problem)
            }
        }
        guard let cwd = workingDirectory, !cwd.isEmpty, cwd != "." else { return nil }
        return try RelativePath(cwd, refusedAs: "cwd")
    }

    /// Whether `name` may name a workspace: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` (so never `.` or `..`). The same
    /// rule as SheLLama's (`ServiceKit.WorkspaceSettings`), which the engine cannot import.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = bytes.first, bytes.count <= 64, alphanumeric(first) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || "._-".utf8.contains($0) }
    }

    /// Why `name=value` may not be added to a job's environment, or nil: names are `[A-Za-z_][A-Za-z0-9_]*`, not
    /// `PATH` or `HOME` (the profile's) nor `LD_*` (the dynamic loader's); neither part may hold a NUL byte.
    static func environmentProblem(name: String, value: String) -> String? {
        let bytes = Array(name.utf8)
        func letter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        guard let first = bytes.first, letter(first),
              bytes.allSatisfy({ letter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"
        }
        if name == "PATH" || name == "HOME" || name.hasPrefix("LD_") {
            return "may not be set: PATH and HOME are the profile's, LD_* the dynamic loader's"
        }
        return value.utf8.contains(0) ? "must not contain a NUL byte" : nil
    }
}
