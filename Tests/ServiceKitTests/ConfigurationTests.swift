import TestSupport
import Testing

@testable import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

private func write(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

@Suite struct EnvironmentFileTests {
    @Test func parsesEntriesCommentsQuotesAndExport() throws {
        let file = try EnvironmentFile(parsing: """
            # comment
            A=1
            export B = two words # trailing comment
            C="quoted \\"x\\" # not a comment\\nline"
            D='single $literal'

            E=
            """)
        #expect(file["A"] == "1")
        #expect(file["B"] == "two words")
        #expect(file["C"] == "quoted \"x\" # not a comment\nline")
        #expect(file["D"] == "single $literal")
        #expect(file["E"] == "")
        #expect(file["F"] == nil)
    }

    @Test func malformedLinesAreRejectedWithTheLineNumber() {
        #expect(throws: ConfigurationError.self) { try EnvironmentFile(parsing: "A=1\nnot a pair\n") }
        do {
            _ = try EnvironmentFile(parsing: "A=1\n1BAD=2\n", path: "x.env")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("line 2"))
            #expect(error.path == "x.env")
        }
        #expect(throws: ConfigurationError.self) { try EnvironmentFile(parsing: "A=\"open\n") }
    }

    @Test func setReplacesInPlaceAndRoundTrips() throws {
        var file = try EnvironmentFile(parsing: "# head\nA=1\nB=2\n")
        file.set("A", "new value")
        file.set("C", "3")
        #expect(file.text == "# head\nA=\"new value\"\nB=2\nC=3\n")
        #expect(try EnvironmentFile(parsing: file.text) == file)
    }
}

@Suite struct PyLamaConfigurationTests {
    @Test func precedenceIsEnvironmentThenCentralThenLocalThenDefaults() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        write("LOGLAMA_PORT=5100\nBEXY_PORT=8100\nSHELLAMA_PORT=8102\n", to: dir + "/local.env")
        write("LOGLAMA_PORT=5200\nBEXY_PORT=8200\n", to: dir + "/central.env")
        let configuration = try PyLamaConfiguration.load(
            environment: ["PYLAMA_ENV": dir + "/central.env", "LOGLAMA_PORT": "5300"], localPath: dir + "/local.env")
        #expect(try configuration.port(of: "loglama") == 5300)
        #expect(try configuration.port(of: "bexy") == 8200)
        #expect(try configuration.port(of: "shellama") == 8102)
        #expect(try configuration.port(of: "apilama") == 8080)
        #expect(configuration.url(of: "weblama") == "http://127.0.0.1:8081")
        #expect(configuration.centralPath == dir + "/central.env")
    }

    @Test func aURLNobodyGaveFollowsTheHostAndPort() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        write("BEXY_PORT=8100\nBEXY_HOST=0.0.0.0\nSHELLAMA_URL=http://files.internal:9000\n", to: dir + "/central.env")
        let configuration = try PyLamaConfiguration.load(
            environment: ["PYLAMA_ENV": dir + "/central.env", "LOGLAMA_PORT": "5300"], localPath: dir + "/none.env")
        #expect(configuration.url(of: "loglama") == "http://127.0.0.1:5300")
        #expect(configuration.url(of: "bexy") == "http://127.0.0.1:8100")
        #expect(configuration.url(of: "shellama") == "http://files.internal:9000")
        #expect(configuration.url(of: "apilama") == "http://127.0.0.1:8080")
    }

    /// After `loglama init`, changing a port alone moves the service's URL with it.
    @Test func changingAPortAloneMovesTheURL() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        _ = try CentralEnvironment.initialize(path: dir + "/central.env")
        var file = try #require(try EnvironmentFile.load(dir + "/central.env"))
        file.set("LOGLAMA_PORT", "5099")
        try file.write(to: dir + "/central.env")
        let configuration = try PyLamaConfiguration.load(environment: ["PYLAMA_ENV": dir + "/central.env"],
                                                         localPath: dir + "/none.env")
        #expect(configuration.url(of: "loglama") == "http://127.0.0.1:5099")
    }

    /// A central file written by an older `init` pins the URL: a port changed alone is a contradiction, said loudly.
    @Test func aLocalURLThatDisagreesWithItsPortIsRefused() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        write("LOGLAMA_PORT=5099\nLOGLAMA_URL=http://127.0.0.1:5000\nSHELLAMA_PORT=8002\nSHELLAMA_URL=http://files.internal:9000\n",
              to: dir + "/central.env")
        do {
            _ = try PyLamaConfiguration.load(environment: ["PYLAMA_ENV": dir + "/central.env"], localPath: dir + "/none.env")
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "LOGLAMA_URL")
            #expect(error.description.contains("LOGLAMA_PORT (5099)"), "\(error)")
        }
        write("LOGLAMA_PORT=5099\nLOGLAMA_URL=http://localhost:5099/\nSHELLAMA_PORT=8002\nSHELLAMA_URL=http://files.internal:9000\n",
              to: dir + "/central.env")
        let agreeing = try PyLamaConfiguration.load(environment: ["PYLAMA_ENV": dir + "/central.env"], localPath: dir + "/none.env")
        #expect(agreeing.url(of: "shellama") == "http://files.internal:9000")
    }

    @Test func anInvalidPortStopsWithTheKeyNamed() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        write("BEXY_PORT=eighty\n", to: dir + "/central.env")
        do {
            _ = try PyLamaConfiguration.load(environment: ["PYLAMA_ENV": dir + "/central.env"],
                                             localPath: dir + "/none.env")
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "BEXY_PORT")
            #expect(error.description.contains("eighty"))
        }
    }

    @Test func initWritesEveryServiceAndSecretsAndNeverOverwritesWithoutForce() throws {
        let dir = temporaryDirectory(prefix: "servicekit")
        let path = dir + "/nested/.env"
        let first = try CentralEnvironment.initialize(path: path)
        #expect(first.kept.isEmpty)
        let file = try #require(try EnvironmentFile.load(path))
        for service in Ecosystem.services {
            #expect(file["\(service.keyPrefix)_PORT"] == String(service.defaultPort))
            #expect(file["\(service.keyPrefix)_URL"] == nil, "the URL follows the port; init must not pin it")
        }
        let token = try #require(file["PYLAMA_API_TOKEN"])
        #expect(token.hasPrefix("plm_") && token.count == 47)
        #expect(file["PYLAMA_INTERNAL_TOKEN"] != token)
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)

        var edited = file
        edited.set("BEXY_PORT", "9000")
        try edited.write(to: path)
        let second = try CentralEnvironment.initialize(path: path)
        #expect(second.written.isEmpty)
        let kept = try #require(try EnvironmentFile.load(path))
        #expect(kept["BEXY_PORT"] == "9000")
        #expect(kept["PYLAMA_API_TOKEN"] == token)

        let forced = try CentralEnvironment.initialize(path: path, force: true)
        #expect(forced.kept.isEmpty)
        let replaced = try #require(try EnvironmentFile.load(path))
        #expect(replaced["BEXY_PORT"] == "8000")
        #expect(replaced["PYLAMA_API_TOKEN"] != token)
    }

    @Test func secretsAreMasked() throws {
        let configuration = PyLamaConfiguration(values: ["PYLAMA_API_TOKEN": "plm_abcdefgh", "BEXY_PORT": "8000"],
                                                centralPath: "/x")
        let masked = Dictionary(uniqueKeysWithValues: configuration.masked.map { ($0.key, $0.value) })
        #expect(masked["PYLAMA_API_TOKEN"] == "plm_…")
        #expect(masked["BEXY_PORT"] == "8000")
    }
}
