import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// What a `<service>.pid` file holds: the service's process id and when it was started.
///
/// The file is a small `.env`-style file (`PID=1234`, `STARTED_AT=1764067200`, Unix seconds), written
/// atomically by `RunDirectory.writePid`.
public struct PidRecord: Sendable, Equatable {
    public var pid: pid_t
    /// Wall-clock start time, seconds since the Unix epoch.
    public var startedAt: Int64

    public init(pid: pid_t, startedAt: Int64) {
        self.pid = pid
        self.startedAt = startedAt
    }

    /// The record of `file`; nil when a key is missing or not a positive number.
    init?(_ file: EnvironmentFile) {
        guard let pid = file["PID"].flatMap(pid_t.init), pid > 0,
              let startedAt = file["STARTED_AT"].flatMap(Int64.init), startedAt > 0 else { return nil }
        self.init(pid: pid, startedAt: startedAt)
    }

    /// The file's content.
    var file: EnvironmentFile {
        var file = EnvironmentFile()
        file.set("PID", String(pid))
        file.set("STARTED_AT", String(startedAt))
        return file
    }

    /// Seconds since the start, at `now` (Unix seconds); never negative.
    public func uptime(now: Int64 = Int64(time(nil))) -> Int64 { max(0, now - startedAt) }
}
