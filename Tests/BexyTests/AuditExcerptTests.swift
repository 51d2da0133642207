import Contracts
import FoundationEssentials
import Testing

/// What an audit record keeps of the code and the output: whole when small, else a prefix cut on a character.
@Suite struct AuditExcerptTests {
    @Test func aShortTextIsKeptWhole() {
        #expect(AuditRecord.excerpt(Array("print('é')".utf8), limit: 64) == "print('é')")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func aCutNeverSplitsACharacter(limit: Int) {
        let text = "a€😀"  // 1 + 3 + 4 bytes
        let kept = AuditRecord.excerpt(Array(text.utf8), limit: limit)
        #expect(text.hasPrefix(kept))
        #expect(kept.utf8.count <= limit)
        #expect(kept == (limit < 4 ? "a" : limit < 8 ? "a€" : text))
    }

    @Test func theRecordCarriesTheExcerptsOnTheWire() throws {
        let record = AuditRecord(requester: "alice", frontDoor: .cli, profile: "strict", codeSha256: "0",
                                 codeBytes: 8, limits: ExecutionLimits(wallTimeMs: 1, cpuTimeMs: 1, memoryBytes: 1, pids: 1, cpus: 1, openFiles: 1, fileSizeBytes: 1, stackBytes: 1, stdoutBytes: 1, stderrBytes: 1, tmpBytes: 1, workdirBytes: 1),
                                 status: .ok, wallMs: 1, cpuMs: 1,
                                 stdoutBytes: 2, stderrBytes: 0, hostUid: 1, bexyVersion: "t", code: "print(1)",
                                 stdoutHead: "1\n", stderrHead: "")
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains(#""code":"print(1)""#) && json.contains(#""stdout_head":"1\n""#), "\(json)")
        let decoded = try JSONDecoder().decode(AuditRecord.self, from: Data(json.utf8))
        #expect(decoded == record)
    }
}
