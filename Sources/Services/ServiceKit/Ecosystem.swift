/// One service of the PyLama ecosystem: its name, default port and what it does.
public struct ServiceDescriptor: Sendable, Equatable {
    /// Lower-case name, also the prefix of its `.env` keys (`LOGLAMA_PORT`).
    public var name: String
    public var defaultPort: Int
    public var description: String
    /// Services this one needs running first.
    public var dependsOn: [String]

    /// The `.env` key prefix: `LOGLAMA`, `BEXY`, ...
    public var keyPrefix: String { name.uppercased() }
}

/// The ecosystem's one port table, in start order.
public enum Ecosystem {
    public static let services: [ServiceDescriptor] = [
        ServiceDescriptor(name: "loglama", defaultPort: 5000, description: "central logging, audit trail, .env, orchestration",
                          dependsOn: []),
        ServiceDescriptor(name: "bexy", defaultPort: 8000, description: "the Python sandbox runtime", dependsOn: ["loglama"]),
        ServiceDescriptor(name: "pyllm", defaultPort: 8001, description: "LLM operations over Ollama", dependsOn: ["loglama"]),
        ServiceDescriptor(name: "shellama", defaultPort: 8002, description: "files, shell and git in a confined workspace",
                          dependsOn: ["loglama"]),
        ServiceDescriptor(name: "pylama", defaultPort: 8003, description: "model management over Ollama",
                          dependsOn: ["loglama", "pyllm"]),
        ServiceDescriptor(name: "apilama", defaultPort: 8080, description: "the API gateway",
                          dependsOn: ["loglama", "bexy", "pyllm", "shellama", "pylama"]),
        ServiceDescriptor(name: "weblama", defaultPort: 8081, description: "the web front end", dependsOn: ["apilama"]),
    ]

    /// The service called `name`, if any.
    public static func service(_ name: String) -> ServiceDescriptor? {
        services.first { $0.name == name.lowercased() }
    }
}
