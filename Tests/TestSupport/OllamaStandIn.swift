import Foundation

/// The Ollama stand-in of `Tests/Fixtures/ollama-standin` serving the real SmolLM2-135M model on a free loopback
/// port. Its Python (with llama-cpp-python and the model) is the venv `scripts/ollama-standin-venv.sh` makes,
/// `.build/ollama-venv` (`make test` makes it first), or `$OLLAMA_STANDIN_PYTHON`.
public enum OllamaStandIn {
    /// The model it serves under Ollama's name.
    public static let model = "smollm2:135m"

    public static var python: String {
        ProcessInfo.processInfo.environment["OLLAMA_STANDIN_PYTHON"]
            ?? TestHost.repositoryRoot + "/.build/ollama-venv/bin/python"
    }

    /// One stand-in for the whole test process (loading the model takes seconds); it exits with the process.
    public static let shared = Task { try await start() }

    /// Start one; it loads the model before it prints its listening line.
    public static func start() async throws -> ListeningProcess {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ListeningProcess.Failed(description: "no Python for the Ollama stand-in at \(python): run "
                                          + "scripts/ollama-standin-venv.sh (make test does) or set OLLAMA_STANDIN_PYTHON")
        }
        return try await ListeningProcess.start(
            python, arguments: [TestHost.repositoryRoot + "/Tests/Fixtures/ollama-standin/ollama_standin.py",
                                "--port", "0", "--threads", "1", "--exit-with-stdin"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], directory: NSTemporaryDirectory(),
            readyPrefix: "ollama-standin listening on ", seconds: 120)
    }
}
