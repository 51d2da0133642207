import Bexy
import PyLamaEnvironment

/// `bexy`'s configuration loader, the one place the CLI reads its environment: the process environment over the
/// central `.env` over a local `.env` (`ConfigurationSources`, the services' precedence), turned into the engine's
/// plain `BexySettings` (whose documentation lists the keys).
struct CLIConfiguration {
    /// The engine's settings.
    let settings: BexySettings
    /// The sudo caller, from the process environment only (`SUDO_USER`), if any.
    let sudoUser: String?

    /// Read the configuration once; a central or local `.env` that cannot be read or parsed ends the command
    /// with one line naming the file and line (exit 2).
    static func load() -> CLIConfiguration {
        do {
            let sources = try ConfigurationSources.load()
            return CLIConfiguration(settings: try BexySettings(values: sources.values),
                                    sudoUser: sources.environment["SUDO_USER"])
        } catch {
            fail("\(error)", code: 2)
        }
    }
}
