import Bexy
import Contracts
import Jail
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One handed-off `bexy exec` job, on its own thread: read the request and the stdin descriptor, check it as the
/// CLI would, queue it, relay its output as frames, and answer with its result (`HandoffFrame`). A CLI that goes
/// away cancels its job.
struct HandoffConnection {
    /// What every connection shares.
    struct Context: Sendable {
        let settings: HandoffSettings
        let runner: any JobRunner
        let scheduler: ExecutionScheduler
        let logger: Logger
    }

    let fd: Int32
    let context: Context
    /// How long a CLI may take to send its whole request once connected.
    static let requestSeconds = 30

    func serve() {
        defer { close(fd) }
        var descriptors: [Int32] = []
        let request = readRequest(&descriptors)
        let stdinSource = descriptors.first
        for extra in descriptors.dropFirst() { close(extra) }
        guard let request, request.settings == context.settings, request.stdin == (stdinSource != nil),
              let peer = try? LocalSocket.peer(of: fd) else {
            if let stdinSource { close(stdinSource) }
            send(HandoffFrame(.declined, []))
            return
        }
        let outbox: Outbox
        let stdin: StdinHandover
        do throws(JailError) {
            outbox = try Outbox(json: request.json)
            stdin = try StdinHandover(source: stdinSource, cap: context.settings.stdinBytes, outbox: outbox)
        } catch {
            if let stdinSource { close(stdinSource) }
            send(HandoffFrame(.declined, []))
            return
        }
        defer { stdin.finish() }
        let prepared: PreparedExecution
        do throws(RequestRefusal) {
            let requester = CLIRequester.name(uid: peer.uid, sudoUser: request.sudoUser)
            prepared = try context.runner.prepare(request.executionRequest(requester: requester, stdin: stdin.input))
        } catch {
            send(HandoffFrame(.refused, Array(error.description.utf8)))
            return
        }
        let execution: ScheduledExecution
        do throws(SchedulerError) {
            execution = try context.scheduler.submit(prepared, observer: Observer(outbox: outbox, stdin: stdin))
        } catch {
            send(HandoffFrame(.declined, []))  // a full queue or a shutdown: the CLI runs the job itself
            return
        }
        relay(outbox, until: execution)
    }

    /// The request, with any descriptors passed along; nil when it cannot be read (the CLI then runs the job cold)
    /// or does not arrive within `requestSeconds`.
    private func readRequest(_ descriptors: inout [Int32]) -> HandoffRequest? {
        LocalSocket.setReceiveTimeout(fd, seconds: Self.requestSeconds)
        guard let header = try? LocalSocket.receive(fd, count: 4, descriptors: &descriptors, maxDescriptors: 1)
        else { return nil }
        let count = HandoffFrame.length(of: header)
        var none: [Int32] = []
        guard count > 0, count <= HandoffFrame.maxRequestBytes,
              let body = try? LocalSocket.receive(fd, count: count, descriptors: &none) else { return nil }
        return HandoffRequest(decoding: body)
    }

    /// Send frames as the job produces them, then its end; cancel the job if the CLI hangs up.
    private func relay(_ outbox: Outbox, until execution: ScheduledExecution) {
        var connected = true
        while true {
            var fds = [pollfd(fd: outbox.wake, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: fd, events: connected ? Int16(POLLIN) : 0, revents: 0)]
            if poll(&fds, 2, -1) < 0 && errno != EINTR { break }
            if connected && fds[1].revents != 0 {
                // The CLI sends nothing after its request: readable means it hung up (or broke the protocol).
                connected = false
                execution.cancel()
            }
            let (frames, ended) = outbox.take()
            if connected {
                for frame in frames where !send(frame) {
                    connected = false
                    execution.cancel()
                    break
                }
            }
            if ended { break }
        }
    }

    /// Send one frame; false if the CLI is gone.
    @discardableResult
    private func send(_ frame: HandoffFrame) -> Bool {
        (try? LocalSocket.send(fd, frame.encoded)) != nil
    }
}

/// The frames waiting to be sent for one job, filled on the scheduler's worker thread (never blocking it) and
/// emptied by the connection's thread, which a pipe wakes. The output it holds is bounded by the profile's output
/// caps.
private final class Outbox: Sendable {
    /// Readable when frames are waiting.
    let wake: Int32
    private let wakeWriter: Int32
    /// `--json`: no output frames, and the report is the result's JSON.
    let json: Bool
    private let state = Mutex<(frames: [HandoffFrame], ended: Bool)>(([], false))

    init(json: Bool) throws(JailError) {
        (wake, wakeWriter) = try Syscall.pipe("the hand-off's wake pipe")
        Syscall.setNonBlocking(wake)
        Syscall.setNonBlocking(wakeWriter)
        self.json = json
    }

    deinit {
        close(wake)
        close(wakeWriter)
    }

    func output(_ stream: StandardStream, _ bytes: UnsafeRawBufferPointer) {
        guard !json else { return }
        post(HandoffFrame(stream == .stdout ? .stdout : .stderr, Array(bytes)), ends: false)
    }

    func notice(_ line: String) {
        post(HandoffFrame(.notice, Array(line.utf8)), ends: false)
    }

    func finish(_ outcome: ExecutionOutcome) {
        let frame: HandoffFrame
        switch outcome {
        case .finished(let result):
            frame = HandoffFrame(.result, CLIReport(result, json: json).encoded)
        case .auditFailed(let error):
            frame = HandoffFrame(.failed, Array("\(error)".utf8))
        case .notStarted:
            frame = HandoffFrame(.declined, [])  // withdrawn at shutdown before it ran: the CLI runs it cold
        }
        post(frame, ends: true)
    }

    /// Everything posted so far, and whether the end is among it.
    func take() -> ([HandoffFrame], Bool) {
        var drained = [UInt8](repeating: 0, count: 256)
        while read(wake, &drained, drained.count) > 0 {}
        return state.withLock { state in
            defer { state.frames = [] }
            return (state.frames, state.ended)
        }
    }

    private func post(_ frame: HandoffFrame, ends: Bool) {
        state.withLock { state in
            state.frames.append(frame)
            if ends { state.ended = true }
        }
        var one: UInt8 = 1
        _ = write(wakeWriter, &one, 1)  // a full pipe is already a wake-up
    }
}

/// A handed-off job's stdin: the pipe exists from the start, but the copy from the caller's descriptor starts only
/// when a worker takes the job, so that a job declined or withdrawn has read nothing of the caller's stdin (the CLI
/// then runs it cold with all of it).
private final class StdinHandover: Sendable {
    /// What the job reads: the pipe, or an empty stdin when the caller passed no descriptor.
    let input: JobInput
    private let pending: Mutex<(pump: StdinPump, source: Int32)?>
    private let cap: Int
    private let outbox: Outbox

    init(source: Int32?, cap: Int, outbox: Outbox) throws(JailError) {
        self.cap = cap
        self.outbox = outbox
        guard let source else {
            input = .empty
            pending = Mutex(nil)
            return
        }
        let pump = try StdinPump()
        input = .pipe(readEnd: pump.readEnd)
        pending = Mutex((pump, source))
    }

    /// The job started: copy the caller's stdin into it.
    func start() {
        guard let (pump, source) = pending.withLock({ $0.take() }) else { return }
        do throws(JailError) {
            try pump.start(from: source, owned: true, cap: cap) { [outbox] in outbox.notice($0) }
        } catch {
            close(source)
            outbox.notice("stdin: \(error)")
        }
    }

    /// The job is over (or never ran): close the pipe's read end, and the caller's descriptor if it was never used.
    func finish() {
        if let (pump, source) = pending.withLock({ $0.take() }) {
            pump.abandon()
            close(source)
        }
        if case .pipe(let readEnd) = input { close(readEnd) }
    }
}

/// Feeds a handed-off job's `Outbox`, and starts its stdin copy when a worker takes it.
private struct Observer: ExecutionObserver {
    let outbox: Outbox
    let stdin: StdinHandover

    func started() { stdin.start() }
    func output(_ stream: StandardStream, _ bytes: UnsafeRawBufferPointer) { outbox.output(stream, bytes) }
    func finished(_ outcome: ExecutionOutcome) { outbox.finish(outcome) }
}
