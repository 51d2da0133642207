import Foundation
import ServiceKit
import TestSupport
import Testing

/// The one precedence every front door reads its keys with: environment, central file, local file.
@Suite struct ConfigurationSourcesTests {
    @Test func environmentThenCentralThenLocal() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        try Data("BEXY_STATE_DIR=/local\nBEXY_RUNTIME_DIR=/local-run\nBEXY_CGROUP=v1\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/local.env"))
        try Data("BEXY_STATE_DIR=/central\nBEXY_RUNTIME_DIR=/central-run\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/central.env"))
        let sources = try ConfigurationSources.load(
            environment: ["PYLAMA_ENV": dir + "/central.env", "BEXY_STATE_DIR": "/environment"],
            localPath: dir + "/local.env")
        #expect(sources.centralPath == dir + "/central.env")
        #expect(sources["BEXY_STATE_DIR"] == "/environment")
        #expect(sources["BEXY_RUNTIME_DIR"] == "/central-run")
        #expect(sources["BEXY_CGROUP"] == "v1")
        #expect(sources.values["BEXY_STATE_DIR"] == "/environment")
        #expect(sources.values["BEXY_RUNTIME_DIR"] == "/central-run")
        #expect(sources.values["BEXY_CGROUP"] == "v1")
        #expect(sources.fileValues["BEXY_STATE_DIR"] == "/central")
    }

    @Test func centralFileDefaultsUnderHome() {
        #expect(ConfigurationSources.centralPath(environment: ["HOME": "/home/ada"]) == "/home/ada/.pylama/.env")
        #expect(ConfigurationSources.centralPath(environment: [:]) == "/root/.pylama/.env")
        #expect(ConfigurationSources.centralPath(environment: ["PYLAMA_ENV": "/etc/pylama.env"]) == "/etc/pylama.env")
    }

    @Test func missingFilesAreEmpty() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        let sources = try ConfigurationSources.load(environment: ["PYLAMA_ENV": dir + "/none.env"],
                                                    localPath: dir + "/none-local.env")
        #expect(sources.central.isEmpty && sources.local.isEmpty)
    }
}
