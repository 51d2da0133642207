import Jail

/// Follows one scheduled execution as the scheduler runs it: when a worker takes it, its output as it is
/// produced, and how it ended (the BEXY service follows its asynchronous jobs this way).
public protocol ExecutionObserver: Sendable {
    /// A worker took the execution and is about to run it (called on the worker thread).
    func started()
    /// A chunk of the job's captured output, in order (called on the worker thread from the sandbox's poll
    /// loop: copy the bytes and return, never block; the buffer is valid only during the call).
    func output(_ stream: StandardStream, _ bytes: UnsafeRawBufferPointer)
    /// The outcome is known; called once, before the execution's `outcome()` waiters resume, on the thread that
    /// finished it (a worker, or the one that withdrew it from the queue).
    func finished(_ outcome: ExecutionOutcome)
}
