#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A one-shot request, from any thread, to stop a job that may be running.
///
/// `cancel()` writes one byte to a close-on-exec pipe whose read end the supervisor's poll loop watches next to
/// the job's output pipes and pidfd; the supervisor then kills the job through its pidfd (as for any limit) and
/// the outcome says `enforced == .cancelled`. A signal cancelled before the job starts stops it as soon as it
/// is supervised. One signal serves one job; it may be cancelled any number of times.
public final class CancellationSignal: Sendable {
    /// The end the supervisor polls: readable once `cancel()` was called.
    let readFD: Int32
    private let writeFD: Int32
    private let cancelled = Atomic<Bool>(false)

    /// - Throws: `JailError` if the pipe cannot be created (the process is out of file descriptors).
    public init() throws(JailError) {
        (readFD, writeFD) = try Syscall.pipe("cancellation pipe")
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Ask for the job to be stopped; only the first call does anything.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? Syscall.writeAll(writeFD, [1], stage: "cancel job")
    }

    /// Whether `cancel()` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}
