import Bexy
import PyLamaEnvironment

/// `bexy`'s configuration loader, the one place the CLI reads its environment: the process environment over the
/// central `.env` over a local `.env` (`ConfigurationSources`, the services' precedence), turned into the engine's
/// plain `BexySettings` (whose documentation lists the keys), and the CLI's own keys:
/// - `BEXY_MAX_STDIN_BYTES` (4 MiB; 0 or more): how much of bexy's stdin a job may read (the BEXY service's cap
///   on a request's `stdin`, read from the same key).
struct CLIConfiguration {
    /// The engine's settings.
    let settings: BexySettings
    /// How many bytes of stdin a job may read.
    let stdinCap: Int
    /// The sudo caller, from the process environment only (`SUDO_USER`), if any.
    let sudoUser: String?

    /// Read the configuration once; a central or local `.env` that cannot be read or parsed ends the command
    /// with one line naming the file and line (exit 2).
    static func load() -> CLIConfiguration {
        do {
            let sources = try ConfigurationSources.load()
            let settings = try BexySettings(values: sources.values)
            return CLIConfiguration(settings: settings, stdinCap: settings.stdinBytes,
                                    sudoUser: sources.environment["SUDO_USER"])
        } catch {
            fail("\(error)", code: 2)
        }
    }
}
