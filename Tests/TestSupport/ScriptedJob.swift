import Contracts
import Jail
import Synchronization

/// What a `ScriptedRunner` does for one job instead of running a program: its steps in order (output, pauses,
/// waiting for a gate or for cancellation), then how it ends.
public struct ScriptedJob: Sendable {
    /// One step of a scripted job.
    public enum Step: Sendable {
        /// The job prints `text` on `stream` (handed to the output handler as one chunk).
        case output(StandardStream, String)
        /// The job works for `duration`; a cancellation ends it early.
        case pause(Duration)
        /// The job blocks until `gate` is opened (or it is cancelled).
        case wait(JobGate)
        /// The job blocks until it is cancelled.
        case waitForCancellation
    }

    /// The steps, in order.
    public var steps: [Step]
    /// The status of a job that was not cancelled.
    public var status: ExecutionStatus
    /// Its exit code (nil when `status` stands for a signal).
    public var exitCode: Int?

    public init(_ steps: [Step] = [], status: ExecutionStatus = .ok, exitCode: Int? = 0) {
        self.steps = steps
        self.status = status
        self.exitCode = exitCode
    }

    /// Prints `text` on stdout and exits 0.
    public static func prints(_ text: String) -> ScriptedJob {
        ScriptedJob([.output(.stdout, text)])
    }

    /// Prints `first` (if any) and then runs until it is cancelled.
    public static func runsUntilCancelled(printingFirst first: String? = nil) -> ScriptedJob {
        ScriptedJob((first.map { [Step.output(.stdout, $0)] } ?? []) + [.waitForCancellation])
    }
}

/// A barrier scripted jobs wait at (`ScriptedJob.Step.wait`) until a test opens it; once open it stays open.
public final class JobGate: Sendable {
    private let opened = Atomic<Bool>(false)

    public init() {}

    /// Let every job waiting here (and every later one) go on.
    public func open() {
        opened.store(true, ordering: .releasing)
    }

    /// Whether `open()` was called.
    public var isOpen: Bool { opened.load(ordering: .acquiring) }
}
