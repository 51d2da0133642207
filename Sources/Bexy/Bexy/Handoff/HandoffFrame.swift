import Jail

/// The hand-off conversation over the service's local socket (`BexySettings.handoffSocket`):
///
/// 1. The CLI sends one request: a 4-byte big-endian length, then that many bytes of `HandoffRequest.encoded`,
///    with the job's stdin descriptor attached (SCM_RIGHTS) when `stdin` is true.
/// 2. The service answers with frames, each a kind byte, a 4-byte big-endian length and the payload: `stdout` and
///    `stderr` chunks of the job's output as it is produced (not with `--json`), `notice` lines of bexy's own, then
///    exactly one of `result` (the `CLIReport`: what bexy prints and its exit code), `refused` (the request's
///    refusal: exit 2), `failed` (the job could not be audited: exit 125) or `declined` (the service will not take
///    this job: the CLI runs it cold).
///
/// A CLI that goes away mid-job cancels it (its audit record says `cancelled`).
public struct HandoffFrame: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case stdout = 1, stderr = 2, notice = 3, result = 4, refused = 5, failed = 6, declined = 7
    }

    public var kind: Kind
    public var payload: [UInt8]

    public init(_ kind: Kind, _ payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    /// The largest request a service reads (a larger length is refused before anything is allocated).
    public static let maxRequestBytes = 256 << 20

    /// The frame as sent.
    public var encoded: [UInt8] {
        [kind.rawValue] + Self.length(payload.count) + payload
    }

    /// A 4-byte big-endian length.
    public static func length(_ count: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16),
         UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
    }

    /// The length `bytes` (4, big-endian) hold.
    public static func length(of bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    /// Read the next frame; nil at the end of the stream between frames.
    ///
    /// - Throws: `JailError` on a read error, a stream that ends inside a frame, or an unknown kind.
    public static func read(from fd: Int32) throws(JailError) -> HandoffFrame? {
        var none: [Int32] = []
        guard let header = try LocalSocket.receive(fd, count: 5, descriptors: &none) else { return nil }
        guard let kind = Kind(rawValue: header[0]) else {
            throw JailError(.setupFailed, stage: "hand-off", message: "unknown frame kind \(header[0])")
        }
        let count = length(of: Array(header[1...]))
        if count == 0 { return HandoffFrame(kind, []) }
        guard let payload = try LocalSocket.receive(fd, count: count, descriptors: &none) else {
            throw JailError(.setupFailed, stage: "hand-off", message: "the connection ended inside a frame")
        }
        return HandoffFrame(kind, payload)
    }
}
