/// `loglama init`: writes the central `.env` with every service's host and port and freshly generated secrets,
/// never overwriting an existing value unless forced. `<SERVICE>_URL` is not written: it follows the host and
/// port, so changing a port moves the URL too; set it only for a service that runs elsewhere.
public enum CentralEnvironment {
    /// What `initialize` did.
    public struct Report: Sendable, Equatable {
        public var path: String
        /// Keys written (new, or replaced with `force`).
        public var written: [String]
        /// Keys that already had a value and were kept.
        public var kept: [String]
    }

    /// Create or complete the central file at `path`.
    public static func initialize(path: String, force: Bool = false,
                                  environment: [String: String] = [:]) throws(ConfigurationError) -> Report {
        var file = try EnvironmentFile.load(path) ?? EnvironmentFile()
        if file.isEmpty {
            file.comment("PyLama central configuration, written by `loglama init`. Every service reads this file;")
            file.comment("real environment variables override it. Keep it private: it holds the API tokens.")
        }
        var wanted = PyLamaConfiguration.defaults(environment: environment).filter { !$0.key.hasSuffix("_URL") }
            .sorted { $0.key < $1.key }
        wanted.append(("PYLAMA_API_TOKEN", Secret.token(prefix: "plm_")))
        wanted.append(("PYLAMA_INTERNAL_TOKEN", Secret.token(prefix: "int_")))
        var report = Report(path: path, written: [], kept: [])
        for (key, value) in wanted {
            if file[key] != nil && !force {
                report.kept.append(key)
            } else {
                file.set(key, value)
                report.written.append(key)
            }
        }
        try file.write(to: path, mode: 0o600)
        return report
    }
}

/// Random secrets for tokens.
public enum Secret {
    /// `prefix` + 43 url-safe base64 characters of 32 random bytes (SystemRandomNumberGenerator: getrandom).
    public static func token(prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<43).map { _ in alphabet[Int(generator.next() % 64)] })
    }
}
