import Foundation

/// The real `bexy-server` binary on a free loopback port, with a private state directory, one slot, and its
/// `bexy exec` hand-off socket in that directory (`handoffSocket`), not the host's `/run/bexy`.
public struct BexyServerProcess: Sendable {
    public let server: ListeningProcess
    public let stateDirectory: String
    public let internalToken: String
    public var port: Int { server.port }
    /// Where it takes `bexy exec` hand-offs (`BEXY_HANDOFF_SOCKET`).
    public var handoffSocket: String { stateDirectory + "/handoff.sock" }

    /// Starts it with `internalToken` (and the central `.env` lines `settings`) and waits for its `listening on`
    /// line.
    public static func start(internalToken: String, settings: [String: String] = [:]) async throws
        -> BexyServerProcess {
        let directory = temporaryDirectory(prefix: "bexy-server")
        let lines = (["PYLAMA_INTERNAL_TOKEN": internalToken].merging(settings) { $1 }).map { "\($0)=\($1)\n" }
        try lines.joined().write(toFile: directory + "/central.env", atomically: true, encoding: .utf8)
        let server = try await ListeningProcess.start(
            TestHost.binary("bexy-server"), arguments: ["--port", "0", "--slots", "1"],
            environment: ["HOME": directory, "PYLAMA_ENV": directory + "/central.env", "BEXY_STATE_DIR": directory,
                          "BEXY_HANDOFF_SOCKET": directory + "/handoff.sock",
                          "BEXY_PROFILES_DIR": TestHost.repositoryRoot + "/profiles",
                          "PATH": "/usr/local/bin:/usr/bin:/bin"],
            directory: directory, readyPrefix: "bexy-server listening on ", seconds: 30)
        return BexyServerProcess(server: server, stateDirectory: directory, internalToken: internalToken)
    }

    /// How many executions it has run to an outcome (the sum of `bexy_executions_total` in `/metrics`).
    public func executionsRun() async throws -> Int {
        let metrics = try await call(port, .GET, "/metrics", token: internalToken)
        return metrics.text.split(separator: "\n").filter { $0.hasPrefix("bexy_executions_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }

    /// SIGTERM, then wait for it to exit.
    public func stop() {
        server.stop()
    }
}
