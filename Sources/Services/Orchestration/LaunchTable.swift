/// How a service is started: the file name of its executable and the arguments that make it serve.
public struct LaunchCommand: Sendable, Equatable {
    /// The executable's file name (`loglama`), looked up by `ExecutableLocator`.
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }
}

/// The launch table: which services have an executable, and the command that runs each in the foreground.
///
/// A service of the port table without an entry has no executable yet and is reported as not built.
public enum LaunchTable {
    public static let commands: [String: LaunchCommand] = [
        "loglama": LaunchCommand(executable: "loglama", arguments: ["serve"]),
        "bexy": LaunchCommand(executable: "bexy", arguments: ["serve"]),
        "pyllm": LaunchCommand(executable: "pyllm", arguments: ["serve"]),
        "pylama": LaunchCommand(executable: "pylama", arguments: ["serve"]),
        "shellama": LaunchCommand(executable: "shellama", arguments: ["serve"]),
        "apilama": LaunchCommand(executable: "apilama", arguments: ["serve"]),
        "weblama": LaunchCommand(executable: "weblama", arguments: ["serve"]),
    ]

    /// The command that runs `service`, nil when it has no executable yet.
    public static func command(for service: String) -> LaunchCommand? { commands[service] }
}
