import Bexy
import Contracts
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// `bexy exec` through a BEXY service running on this host: the CLI sends its checked request over the service's
/// local socket (`HandoffFrame` describes the conversation) with its stdin descriptor, and the service runs the job
/// in its warm pool, audited with the `cli` front door and the caller's uid from the socket. The output, the
/// result and the exit code are what the cold path would give; only the time differs.
///
/// When nothing listens on the socket, or the service declines (other settings, a full queue, shutting down), the
/// job has not started and the CLI runs it cold itself.
enum ServiceHandoff {
    /// How the hand-off went.
    enum Answer {
        /// The service ran the job: what to print, and the exit code.
        case result(CLIReport)
        /// The service refused the request as the CLI would have (exit 2).
        case refused(String)
        /// The job may have run but its end is unknown to the CLI, or it could not be audited (exit 125).
        case failed(String)
        /// Nothing ran: run the job cold.
        case declined
    }

    /// Hand `request` to the service at `socket`.
    ///
    /// - Parameters:
    ///   - stdin: the descriptor the job's stdin comes from (passed to the service), or nil for an empty stdin.
    ///   - json: `--json`: the report is the result's JSON, and the output is only in it.
    ///   - relay: where the job's output goes as it is produced (nil with `--json`).
    static func run(_ request: ExecutionRequest, stdin: Int32?, json: Bool, socket: String, sudoUser: String?,
                    settings: BexySettings, relay: OutputRelay?) -> Answer {
        guard let fd = try? LocalSocket.connect(to: socket) else { return .declined }
        defer { close(fd) }
        let body = HandoffRequest(request, stdin: stdin != nil, json: json, sudoUser: sudoUser,
                                  settings: HandoffSettings(settings)).encoded
        do {
            try LocalSocket.send(fd, HandoffFrame.length(body.count) + body, passing: stdin.map { [$0] } ?? [])
        } catch {
            return .declined  // the service cannot have started a job it did not read
        }
        let handler = relay?.handler
        while true {
            let frame: HandoffFrame?
            do {
                frame = try HandoffFrame.read(from: fd)
            } catch {
                return .failed("the BEXY service at \(socket) broke off the job: \(error)")
            }
            guard let frame else {
                return .failed("the BEXY service at \(socket) went away during the job (its audit record says how "
                               + "the job ended)")
            }
            switch frame.kind {
            case .stdout, .stderr:
                frame.payload.withUnsafeBytes { handler?(frame.kind == .stdout ? .stdout : .stderr, $0) }
            case .notice:
                writeAll(2, Array("bexy: ".utf8) + frame.payload + [0x0a])
            case .result:
                guard let report = CLIReport(decoding: frame.payload) else {
                    return .failed("the BEXY service at \(socket) sent a result bexy cannot read")
                }
                return .result(report)
            case .refused:
                return .refused(String(decoding: frame.payload, as: UTF8.self))
            case .failed:
                return .failed(String(decoding: frame.payload, as: UTF8.self))
            case .declined:
                return .declined
            }
        }
    }
}
