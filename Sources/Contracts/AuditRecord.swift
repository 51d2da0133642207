import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of the audit trail: who ran what, under which limits, and how it ended.
///
/// This is a wire contract: LogLama ingests these records as JSON, so the snake_case keys, their types and their
/// meaning must not change without a version bump. Every key is always present; absent values are encoded as
/// `null`, never omitted. The record never contains the code or its output, only their sizes and the code's hash.
public struct AuditRecord: Codable, Sendable, Equatable {
    /// Which entry point accepted the job.
    public enum FrontDoor: String, Codable, Sendable, CaseIterable {
        /// `bexy exec` on the command line.
        case cli
        /// The HTTP API.
        case http
        /// SheLLama's shell and git commands, run in a workspace (BEXY's `/workspace/*` routes).
        case shellama
    }

    /// `id`: the job's unique id, a lowercase UUID string (`"3f2c…-…"`). Appending the same id twice is a no-op.
    public var id: String
    /// `time`: when the job started, UTC ISO 8601 with milliseconds, e.g. `"2026-11-25T08:30:00.123Z"`.
    public var time: String
    /// `requester`: who asked for the job: the Unix user name for the CLI, the authenticated client for HTTP.
    public var requester: String
    /// `front_door`: `"cli"`, `"http"` or `"shellama"`.
    public var frontDoor: FrontDoor
    /// `profile`: the name of the profile the job ran under, e.g. `"strict"`.
    public var profile: String
    /// `code_sha256`: SHA-256 of the submitted code, 64 lowercase hex digits.
    public var codeSha256: String
    /// `code_bytes`: size of the submitted code in bytes.
    public var codeBytes: Int
    /// `limits`: the effective limits (the profile's, tightened by the request), with `ExecutionLimits`' keys.
    public var limits: ExecutionLimits
    /// `status`: how the job ended, one `ExecutionStatus` word (`"ok"`, `"timeout"`, `"syscall_blocked"`, ...);
    /// `"started"` while the record is written ahead of a running job (never forwarded), `"interrupted"` when the
    /// process running it died before recording the end.
    public var status: ExecutionStatus
    /// `exit_code`: the program's exit code if it exited normally, else `null`.
    public var exitCode: Int?
    /// `signal`: the number of the signal that killed the program, else `null`.
    public var signal: Int?
    /// `blocked_syscall`: the name of the system call the seccomp policy stopped (status `syscall_blocked`), else `null`.
    public var blockedSyscall: String?
    /// `limit_hit`: which limit ended the job: `"wall"`, `"cpu"`, `"memory"`, `"pids"` or `"output"`; `null` if none.
    public var limitHit: String?
    /// `wall_ms`: wall-clock run time in milliseconds.
    public var wallMs: Int
    /// `cpu_ms`: CPU time (user + system) the job used, in milliseconds.
    public var cpuMs: Int
    /// `peak_memory_bytes`: the job's peak memory in bytes, or `null` when the kernel does not report it.
    public var peakMemoryBytes: Int?
    /// `stdout_bytes`: bytes of stdout captured (at most the limit).
    public var stdoutBytes: Int
    /// `stderr_bytes`: bytes of stderr captured (at most the limit).
    public var stderrBytes: Int
    /// `host_uid`: the host uid the job's user ran as (unique among concurrently running jobs; 0 if the
    /// sandbox could not be set up).
    public var hostUid: Int
    /// `bexy_version`: the version of Bexy that ran the job.
    public var bexyVersion: String
    /// `code`: the submitted code, its first `codeExcerptBytes` (whole when `code_bytes` is no larger), so the
    /// trail shows what ran and not only its hash.
    public var code: String?
    /// `stdout_head`, `stderr_head`: the first `outputExcerptBytes` of each output stream (null while `started`).
    public var stdoutHead: String?
    public var stderrHead: String?

    /// How much of the code a record keeps: 64 KiB.
    public static let codeExcerptBytes = 64 << 10
    /// How much of each output stream a record keeps: 4 KiB.
    public static let outputExcerptBytes = 4 << 10

    /// A record; `id` defaults to a fresh UUID and `time` to now.
    public init(id: String = AuditRecord.newID(), time: String = AuditRecord.timestamp(), requester: String,
                frontDoor: FrontDoor, profile: String, codeSha256: String, codeBytes: Int, limits: ExecutionLimits,
                status: ExecutionStatus, exitCode: Int? = nil, signal: Int? = nil, blockedSyscall: String? = nil,
                limitHit: String? = nil, wallMs: Int, cpuMs: Int, peakMemoryBytes: Int? = nil, stdoutBytes: Int,
                stderrBytes: Int, hostUid: Int, bexyVersion: String, code: String? = nil, stdoutHead: String? = nil,
                stderrHead: String? = nil) {
        self.id = id
        self.time = time
        self.requester = requester
        self.frontDoor = frontDoor
        self.profile = profile
        self.codeSha256 = codeSha256
        self.codeBytes = codeBytes
        self.limits = limits
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.blockedSyscall = blockedSyscall
        self.limitHit = limitHit
        self.wallMs = wallMs
        self.cpuMs = cpuMs
        self.peakMemoryBytes = peakMemoryBytes
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.hostUid = hostUid
        self.bexyVersion = bexyVersion
        self.code = code
        self.stdoutHead = stdoutHead
        self.stderrHead = stderrHead
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, time, requester
        case frontDoor = "front_door"
        case profile
        case codeSha256 = "code_sha256"
        case codeBytes = "code_bytes"
        case limits, status
        case exitCode = "exit_code"
        case signal
        case blockedSyscall = "blocked_syscall"
        case limitHit = "limit_hit"
        case wallMs = "wall_ms"
        case cpuMs = "cpu_ms"
        case peakMemoryBytes = "peak_memory_bytes"
        case stdoutBytes = "stdout_bytes"
        case stderrBytes = "stderr_bytes"
        case hostUid = "host_uid"
        case bexyVersion = "bexy_version"
        case code
        case stdoutHead = "stdout_head"
        case stderrHead = "stderr_head"
    }

    /// Decodes a record; optional fields may be `null` or absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        time = try container.decode(String.self, forKey: .time)
        requester = try container.decode(String.self, forKey: .requester)
        frontDoor = try container.decode(FrontDoor.self, forKey: .frontDoor)
        profile = try container.decode(String.self, forKey: .profile)
        codeSha256 = try container.decode(String.self, forKey: .codeSha256)
        codeBytes = try container.decode(Int.self, forKey: .codeBytes)
        limits = try container.decode(ExecutionLimits.self, forKey: .limits)
        status = try container.decode(ExecutionStatus.self, forKey: .status)
        exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode)
        signal = try container.decodeIfPresent(Int.self, forKey: .signal)
        blockedSyscall = try container.decodeIfPresent(String.self, forKey: .blockedSyscall)
        limitHit = try container.decodeIfPresent(String.self, forKey: .limitHit)
        wallMs = try container.decode(Int.self, forKey: .wallMs)
        cpuMs = try container.decode(Int.self, forKey: .cpuMs)
        peakMemoryBytes = try container.decodeIfPresent(Int.self, forKey: .peakMemoryBytes)
        stdoutBytes = try container.decode(Int.self, forKey: .stdoutBytes)
        stderrBytes = try container.decode(Int.self, forKey: .stderrBytes)
        hostUid = try container.decode(Int.self, forKey: .hostUid)
        bexyVersion = try container.decode(String.self, forKey: .bexyVersion)
        code = try container.decodeIfPresent(String.self, forKey: .code)
        stdoutHead = try container.decodeIfPresent(String.self, forKey: .stdoutHead)
        stderrHead = try container.decodeIfPresent(String.self, forKey: .stderrHead)
    }

    /// Encodes every key, writing `null` for absent optional values so the shape never varies.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(time, forKey: .time)
        try container.encode(requester, forKey: .requester)
        try container.encode(frontDoor, forKey: .frontDoor)
        try container.encode(profile, forKey: .profile)
        try container.encode(codeSha256, forKey: .codeSha256)
        try container.encode(codeBytes, forKey: .codeBytes)
        try container.encode(limits, forKey: .limits)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(signal, forKey: .signal)
        try container.encode(blockedSyscall, forKey: .blockedSyscall)
        try container.encode(limitHit, forKey: .limitHit)
        try container.encode(wallMs, forKey: .wallMs)
        try container.encode(cpuMs, forKey: .cpuMs)
        try container.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try container.encode(stdoutBytes, forKey: .stdoutBytes)
        try container.encode(stderrBytes, forKey: .stderrBytes)
        try container.encode(hostUid, forKey: .hostUid)
        try container.encode(bexyVersion, forKey: .bexyVersion)
        try container.encode(code, forKey: .code)
        try container.encode(stdoutHead, forKey: .stdoutHead)
        try container.encode(stderrHead, forKey: .stderrHead)
    }

    /// The first `limit` bytes of `text`, cut back to a whole UTF-8 character.
    public static func excerpt(_ text: some Collection<UInt8>, limit: Int) -> String {
        var bytes = Array(text.prefix(limit))
        if text.count > limit, let lead = bytes.lastIndex(where: { $0 & 0xC0 != 0x80 }) {
            // The last character starts at `lead`; drop it if the cut left it short of its length.
            let length = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : bytes[lead] >= 0xC0 ? 2 : 1
            if bytes.count - lead < length { bytes.removeSubrange(lead...) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Helpers for building records

    /// A fresh random id: a lowercase UUID string.
    public static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    /// `date` as the record's time format: UTC ISO 8601 with milliseconds, e.g. `2026-11-25T08:30:00.123Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())  // nearest: 0.123 is not exact in binary
        let (seconds, ms) = (totalMs.quotientAndRemainder(dividingBy: 1000))
        // Floor division so dates before 1970 still produce a valid time of day.
        var wholeSeconds = time_t(seconds)
        var millis = Int(ms)
        if millis < 0 {
            millis += 1000
            wholeSeconds -= 1
        }
        var parts = tm()
        gmtime_r(&wholeSeconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
