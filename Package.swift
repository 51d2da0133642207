// swift-tools-version: 6.1
import PackageDescription

/// PyLama: run untrusted Python safely and fast.
///
/// Layout: top folder = domain (`Sources/Jail`, `Sources/Bexy`, `Sources/Services`, `Sources/Gateway`,
/// `Sources/Contracts`), leaf folder = one target. Dependencies point one way:
/// Gateway -> (HTTP) -> Services -> Bexy -> JailWarm -> Jail -> C targets, and `Contracts`, the wire types, is the
/// shared leaf every front door and service uses (it imports nothing of ours). Jail and Bexy import no HTTP or service
/// module; LogLama and the gateway import neither Bexy nor Jail. `scripts/check-layering.sh` checks these rules in CI.
let package = Package(
    name: "PyLama",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bexy", targets: ["BexyCLI"]),
        .executable(name: "bexy-server", targets: ["BexyServerCLI"]),
        .executable(name: "bexy-zygote", targets: ["BexyZygoteLauncher"]),
        .library(name: "bexyzygote", type: .dynamic, targets: ["BexyZygote"]),
        .library(name: "Jail", targets: ["Jail"]),
        .library(name: "JailWarm", targets: ["JailWarm"]),
        .library(name: "Bexy", targets: ["Bexy"]),
        .executable(name: "loglama", targets: ["LogLamaCLI"]),
        .executable(name: "bexy-forward", targets: ["BexyForwardCLI"]),
        .executable(name: "apilama", targets: ["APILamaCLI"]),
        .executable(name: "pyllm", targets: ["PyLLMCLI"]),
        .executable(name: "pylama", targets: ["PyLamaCLI"]),
        .executable(name: "shellama", targets: ["SheLLamaCLI"]),
        .executable(name: "weblama", targets: ["WebLamaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: System libraries (Debian: libseccomp-dev, libcap-dev, python3-dev, libsqlite3-dev)
        .systemLibrary(
            name: "CSeccomp", path: "Sources/Jail/CSeccomp", pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(
            name: "CCap", path: "Sources/Jail/CCap", pkgConfig: "libcap",
            providers: [.apt(["libcap-dev"])]),
        .systemLibrary(
            name: "CPython", path: "Sources/Jail/CPython", pkgConfig: "python3",
            providers: [.apt(["python3-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/Bexy/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        // MARK: Contracts: the wire types (execution request and result, status, limits, audit record, error body,
        // JSONValue), shared by the front doors, the services, the gateway and the tests; imports nothing of ours
        .target(name: "Contracts", path: "Sources/Contracts"),
        // MARK: PyLamaEnvironment: configuration sources (the process environment, `.env` files, the central file's
        // location and precedence), shared by ServiceKit and the BEXY front doors; imports nothing of ours
        .target(name: "PyLamaEnvironment", path: "Sources/PyLamaEnvironment"),

        // MARK: Jail: the kernel layer
        .target(
            name: "CJailShim", dependencies: ["CCap"], path: "Sources/Jail/CJailShim",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])]),
        .target(
            name: "Jail", dependencies: ["CJailShim", "CSeccomp", "CCap"], path: "Sources/Jail/Jail"),
        // The warm path above the cold sandbox: the warm pool, its zygotes and their wire (Jail never imports it).
        .target(name: "JailWarm", dependencies: ["Jail", "CJailShim"], path: "Sources/Jail/JailWarm"),
        // The warm path's fork server: a CPython extension module (libbexyzygote.so, not linked against
        // libpython: the interpreter is the profile's own python3) and the launcher that starts it (bexy-zygote).
        .target(
            name: "BexyZygote", dependencies: ["CJailShim", "CCap", "CPython"], path: "Sources/Jail/BexyZygote",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])]),
        .executableTarget(
            name: "BexyZygoteLauncher", path: "Sources/Jail/BexyZygoteLauncher",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])]),

        // MARK: Bexy: the execution engine (profiles, requests, the scheduler and its worker threads), its audit
        // spool and its CLI; no HTTP
        // The local audit trail (an SQLite spool of `AuditRecord`s), apart so the forwarder needs no engine.
        .target(name: "BexyAudit", dependencies: ["Contracts", "CSQLite"], path: "Sources/Bexy/BexyAudit"),
        .target(
            name: "Bexy",
            dependencies: [
                "Jail", "JailWarm", "BexyAudit", "Contracts",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Bexy/Bexy"),
        .executableTarget(
            name: "BexyCLI",
            dependencies: [
                "Bexy", "BexyAudit", "Contracts", "Jail", "JailWarm", "PyLamaEnvironment",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Bexy/BexyCLI"),

        // MARK: The BEXY HTTP service (`bexy-server`, also run as `bexy serve`): routes over the engine's scheduler
        .target(
            name: "BexyService",
            dependencies: [
                "Bexy", "BexyAudit", "Contracts", "Jail", "ServiceKit", "ServiceHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Services/BexyService"),
        .executableTarget(
            name: "BexyServerCLI",
            dependencies: [
                "BexyService", "Bexy", "BexyAudit", "ServiceKit", "AuditForwarding", "LogShipping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/BexyServerCLI"),

        // MARK: Services: the shared kit and LogLama (logging, the audit trail, .env, orchestration)
        .target(
            name: "ServiceKit",
            dependencies: [
                "PyLamaEnvironment", "Contracts", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/ServiceKit"),
        .target(
            name: "ServiceHTTP",
            dependencies: ["Contracts", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Services/ServiceHTTP"),
        .target(
            name: "LogLama",
            dependencies: [
                "Contracts", "ServiceKit", "ServiceHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Services/LogLama",
            resources: [.copy("Web/Static")]),
        .executableTarget(
            name: "LogLamaCLI",
            dependencies: [
                "Contracts", "LogLama", "ServiceKit", "ServiceHTTP", "Jail", "Orchestration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/LogLamaCLI"),

        // MARK: The audit forwarder: BEXY's spool -> LogLama, at least once (LogLama dedupes by id)
        .target(
            name: "AuditForwarding",
            dependencies: [
                "BexyAudit", "Contracts",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Services/AuditForwarding"),
        .executableTarget(
            name: "BexyForwardCLI",
            dependencies: [
                "AuditForwarding", "BexyAudit", "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/BexyForwardCLI"),

        // MARK: Log shipping: a swift-log handler that batches every service's logs to LogLama
        .target(
            name: "LogShipping",
            dependencies: [
                "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/LogShipping"),

        // MARK: Orchestration: loglama start-all / stop-all / status / restart (detached services, pid files)
        .target(
            name: "COrchestration", path: "Sources/Services/COrchestration",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])]),
        .target(
            name: "Orchestration",
            dependencies: [
                "ServiceKit", "COrchestration", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/Orchestration"),

        // MARK: SheLLama: files, shell and git in a confined workspace; commands run in BEXY over HTTP (no Bexy/Jail)
        .target(
            name: "CSheLLama", path: "Sources/Services/CSheLLama",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])]),
        .target(
            name: "SheLLama",
            dependencies: [
                "Contracts", "ServiceKit", "ServiceHTTP", "CSheLLama",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/SheLLama"),
        .executableTarget(
            name: "SheLLamaCLI",
            dependencies: [
                "SheLLama", "ServiceKit", "LogShipping", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/SheLLamaCLI"),

        // MARK: WebLama: the web front end's static server (the page is web/, its libraries come from Debian/PyPI)
        .target(
            name: "WebLama",
            dependencies: ["Contracts", "ServiceKit", "ServiceHTTP", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Services/WebLama"),
        .executableTarget(
            name: "WebLamaCLI",
            dependencies: [
                "WebLama", "ServiceKit", "LogShipping", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/WebLamaCLI"),

        // MARK: Gateway: APILama (routing to the services, tokens and sessions, CORS, rate limits)
        .target(
            name: "APILama",
            dependencies: [
                "Contracts", "ServiceKit", "ServiceHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Gateway/APILama",
            resources: [.copy("Resources/openapi.json"), .copy("Resources/SignIn")]),
        .executableTarget(
            name: "APILamaCLI",
            dependencies: [
                "APILama", "ServiceKit", "LogShipping", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Gateway/APILamaCLI"),

        // MARK: Services: the LLM half (PyLLM and PyLama over Ollama's API)
        .target(
            name: "Ollama",
            dependencies: ["Contracts", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Sources/Services/Ollama"),
        .target(
            name: "PyLLM",
            dependencies: [
                "Ollama", "Contracts", "ServiceHTTP", "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Services/PyLLM"),
        .executableTarget(
            name: "PyLLMCLI",
            dependencies: [
                "PyLLM", "ServiceKit", "LogShipping", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/PyLLMCLI"),
        .target(
            name: "PyLamaService",
            dependencies: [
                "PyLLM", "Ollama", "Contracts", "ServiceHTTP", "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/Services/PyLamaService"),
        .executableTarget(
            name: "PyLamaCLI",
            dependencies: [
                "PyLamaService", "PyLLM", "ServiceKit", "LogShipping", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Services/PyLamaCLI"),

        // MARK: Benchmarks (`make bench`): JSON decoding of ingest bodies, JSONParser against Foundation
        .executableTarget(
            name: "JSONDecodingBenchmark", dependencies: ["ServiceHTTP", "Contracts"], path: "Benchmarks/JSONDecoding"),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "LogLama", "Jail", "JailWarm", "Bexy", "BexyAudit", "Contracts", "PyLLM",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "JailTests", dependencies: ["Jail", "TestSupport"], path: "Tests/JailTests"),
        .testTarget(
            name: "BexyTests", dependencies: ["Bexy", "BexyAudit", "Contracts", "Jail", "TestSupport"], path: "Tests/BexyTests"),
        .testTarget(
            name: "ContainmentTests", dependencies: ["Bexy", "BexyAudit", "Contracts", "Jail", "JailWarm", "TestSupport"],
            path: "Tests/ContainmentTests"),
        .testTarget(
            name: "CLITests", dependencies: ["BexyCLI", "Bexy", "Contracts", "Jail", "TestSupport"], path: "Tests/CLITests"),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "TestSupport"], path: "Tests/ServiceKitTests"),
        .testTarget(
            name: "ServiceHTTPTests",
            dependencies: ["ServiceHTTP", "Contracts", "TestSupport",
                           .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/ServiceHTTPTests"),
        .testTarget(
            name: "LogLamaTests",
            dependencies: [
                "LogLama", "LogLamaCLI", "Bexy", "Contracts", "ServiceHTTP", "ServiceKit", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/LogLamaTests"),
        .testTarget(
            name: "AuditForwardingTests",
            dependencies: [
                "AuditForwarding", "LogLama", "Bexy", "BexyAudit", "Contracts", "Jail", "ServiceKit", "TestSupport",
                "LogLamaCLI", "BexyForwardCLI",
            ],
            path: "Tests/AuditForwardingTests"),
        .testTarget(
            name: "LogShippingTests",
            dependencies: [
                "LogShipping", "LogLama", "ServiceHTTP", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/LogShippingTests"),
        .testTarget(
            name: "OrchestrationTests", dependencies: ["Orchestration", "ServiceKit", "TestSupport", "LogLamaCLI"],
            path: "Tests/OrchestrationTests"),
        .testTarget(
            name: "BexyServiceTests",
            dependencies: [
                "BexyService", "BexyServerCLI", "Bexy", "BexyAudit", "Contracts", "Jail", "ServiceHTTP", "ServiceKit",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/BexyServiceTests"),
        .testTarget(
            name: "SheLLamaTests",
            dependencies: [
                "SheLLama", "SheLLamaCLI", "APILama", "Contracts", "ServiceHTTP", "ServiceKit", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/SheLLamaTests"),
        .testTarget(
            name: "APILamaTests",
            dependencies: [
                "APILama", "APILamaCLI", "BexyServerCLI", "Bexy", "BexyAudit", "Contracts", "Jail", "ServiceHTTP",
                "ServiceKit", "SheLLama", "SheLLamaCLI", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/APILamaTests"),
        .testTarget(
            name: "PyLLMTests",
            dependencies: [
                "PyLLM", "Ollama", "Contracts", "ServiceHTTP", "ServiceKit", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/PyLLMTests"),
        .testTarget(
            name: "PyLamaServiceTests",
            dependencies: [
                "PyLamaService", "PyLLM", "Ollama", "Contracts", "ServiceHTTP", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/PyLamaServiceTests"),
        .testTarget(
            name: "WebLamaTests",
            dependencies: [
                "WebLama", "APILama", "ServiceKit", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/WebLamaTests"),
    ]
)
