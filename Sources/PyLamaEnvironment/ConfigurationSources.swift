/// Where a front door's configuration comes from, and which source wins: the process environment, then the
/// central `.env` (`$PYLAMA_ENV`, default `$HOME/.pylama/.env`), then a `.env` in the working directory.
///
/// Every front door (the services, `bexy`, `bexy-server`) reads its keys through this one precedence, so a key
/// put in the central file reaches whichever program reads it.
public struct ConfigurationSources: Sendable {
    /// The process environment (highest precedence).
    public let environment: [String: String]
    /// The central file's path (it may not exist).
    public let centralPath: String
    /// The central file's entries (empty when it does not exist).
    public let central: [String: String]
    /// The working directory's `.env` entries (empty when it does not exist).
    public let local: [String: String]

    /// The central file's path from `environment`: `$PYLAMA_ENV` if set and not empty, else `$HOME/.pylama/.env`
    /// (`/root` when `HOME` is unset).
    public static func centralPath(environment: [String: String]) -> String {
        if let path = environment["PYLAMA_ENV"], !path.isEmpty { return path }
        return home(environment: environment) + "/.pylama/.env"
    }

    /// `$HOME`, `/root` when it is unset or empty.
    public static func home(environment: [String: String]) -> String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
    }

    /// Read both files. `environment` defaults to the process's.
    ///
    /// - Throws: `ConfigurationError` naming a file that cannot be read or a malformed line.
    public static func load(environment: [String: String] = ProcessEnvironment.current(),
                            localPath: String = ".env") throws(ConfigurationError) -> ConfigurationSources {
        let centralPath = centralPath(environment: environment)
        let local = try EnvironmentFile.load(localPath)?.values ?? [:]
        return ConfigurationSources(environment: environment, centralPath: centralPath,
                                    central: try EnvironmentFile.load(centralPath)?.values ?? [:], local: local)
    }

    public init(environment: [String: String], centralPath: String, central: [String: String],
                local: [String: String]) {
        self.environment = environment
        self.centralPath = centralPath
        self.central = central
        self.local = local
    }

    /// The files' entries, the central file over the local one.
    public var fileValues: [String: String] { local.merging(central) { $1 } }

    /// Every key of every source, the environment over the central file over the local one.
    public var values: [String: String] { fileValues.merging(environment) { $1 } }

    /// `key`'s value from the first source that has it.
    public subscript(key: String) -> String? { environment[key] ?? central[key] ?? local[key] }
}
