import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import LogLama

/// The `loglama` binary, black box: `audit verify` on a real database, intact and then tampered with.
@Suite struct LogLamaCLITests {
    @Test func auditVerifyReportsIntactAndThenTheFirstTamperedRecord() async throws {
        let harness = try Harness()
        _ = try await harness.store.appendAudit((0..<5).map { _ in makeAuditRecord() })
        let environment = ["PYLAMA_ENV": harness.directory + "/.env", "HOME": harness.directory]
        let intact = try await runLogLama(["audit", "verify", "--db", harness.configuration.databasePath], environment: environment)
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.contains("ok: 5 records"))

        let queue = try DatabaseQueue(path: harness.configuration.databasePath)
        try await queue.write { db in
            try db.execute(sql: "UPDATE audit_records SET record = replace(record, '\"alice\"', '\"mallory\"') WHERE seq = 3")
        }
        let broken = try await runLogLama(["audit", "verify", "--db", harness.configuration.databasePath], environment: environment)
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.output.contains("BROKEN at seq 3"))
    }

    @Test func initThenEnvShowsEveryServiceWithSecretsMasked() async throws {
        let harness = try Harness()
        let environment = ["PYLAMA_ENV": harness.directory + "/central.env", "HOME": harness.directory]
        let initialized = try await runLogLama(["init"], environment: environment)
        #expect(initialized.status == 0, "\(initialized.output)")
        let shown = try await runLogLama(["env"], environment: environment)
        #expect(shown.status == 0, "\(shown.output)")
        for key in ["LOGLAMA_PORT=5000", "BEXY_PORT=8000", "APILAMA_PORT=8080", "WEBLAMA_PORT=8081", "PYLAMA_API_TOKEN=plm_…"] {
            #expect(shown.output.contains(key), "\(key) missing in:\n\(shown.output)")
        }
        let again = try await runLogLama(["init"], environment: environment)
        #expect(again.output.contains("0 values written"), "\(again.output)")
        // SheLLama's default workspace: SHELLAMA_ROOT/default, mode 0770, owned by SHELLAMA_UID/GID.
        var info = stat()
        #expect(lstat(harness.directory + "/.pylama/workspaces/default", &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o777 == 0o770)
        if getuid() == 0 { #expect(info.st_uid == 64999 && info.st_gid == 64999) }
    }

    @Test func anInvalidCentralValueIsOneLineNamingTheKey() async throws {
        let harness = try Harness()
        try "LOGLAMA_PORT=fifty\n".write(toFile: harness.directory + "/central.env", atomically: true, encoding: .utf8)
        let environment = ["PYLAMA_ENV": harness.directory + "/central.env", "HOME": harness.directory]
        for command in [["env"], ["serve", "--db", harness.directory + "/x.db"]] {
            let refused = try await runLogLama(command, environment: environment)
            #expect(refused.status == 1, "\(command): \(refused.output)")
            let lines = refused.output.split(separator: "\n")
            #expect(lines.count == 1, "\(command): \(refused.output)")
            #expect(lines.first?.contains("LOGLAMA_PORT") == true && lines.first?.contains("fifty") == true)
        }
    }

    @Test func checkDepsReportsAPortInUse() async throws {
        let harness = try Harness()
        let listener = LoopbackSocket(listening: true)
        let port = listener.port
        let environment = ["PYLAMA_ENV": harness.directory + "/none.env", "HOME": harness.directory,
                           "LOGLAMA_PORT": String(port)]
        let busy = try await runLogLama(["check-deps", "loglama"], environment: environment)
        #expect(busy.status == 1, "\(busy.output)")
        #expect(busy.output.contains("MISSING port \(port) free"), "\(busy.output)")
        #expect(busy.output.contains("libsqlite3.so.0"))
    }
}
