import Foundation
import ServiceKit
import SheLLama
import TestSupport

/// A live SheLLama on loopback over a fresh workspace root (with `default`), speaking the gateway's internal
/// token; `body` gets its port and the workspace settings. Commands go to `bexyURL` (a closed port unless given).
func withSheLLama(bexyURL: String = "http://127.0.0.1:\(refusedPort())",
                  _ body: (Int, WorkspaceSettings) async throws -> Void) async throws {
    let workspaces = WorkspaceSettings(root: temporaryDirectory(prefix: "apilama-shellama") + "/workspaces",
                                       uid: getuid() == 0 ? WorkspaceSettings.defaultOwner : getuid(),
                                       gid: getuid() == 0 ? WorkspaceSettings.defaultOwner : getgid())
    try workspaces.createWorkspace()
    let configuration = SheLLamaConfiguration(host: "127.0.0.1", port: 0, internalToken: Gateway.internalToken,
                                              workspaces: workspaces, bexyURL: bexyURL, gitName: "Test Author",
                                              gitEmail: "author@example.test")
    try await withLiveServer({ onRunning in
        buildSheLLamaApplication(configuration: configuration, logger: quietLogger("shellama"), onServerRunning: onRunning)
    }) { port in try await body(port, workspaces) }
}
