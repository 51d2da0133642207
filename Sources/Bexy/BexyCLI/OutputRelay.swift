import Dispatch
import Jail

/// Copies a job's output to bexy's own stdout and stderr while the job runs, chunk by chunk in the order the
/// supervisor read them.
///
/// The supervisor reads the job's two pipes in one poll loop, so writes the program made to stdout and stderr
/// reach the terminal in the order they were made, except when both pipes hold unread data at the same wake-up
/// (writes a few microseconds apart): stdout's chunk is then copied first. Within one stream the order is exact.
///
/// The writes happen on a serial queue, never on the supervising thread: a slow or stalled reader of bexy's output
/// must not stop the supervisor from enforcing the job's limits. The queue holds at most the captured output,
/// which the profile's output caps bound.
struct OutputRelay: Sendable {
    private let queue = DispatchQueue(label: "bexy-output-relay")

    /// The handler to give the engine.
    var handler: OutputHandler {
        let queue = self.queue
        return { stream, chunk in
            let bytes = Array(chunk)
            // After EPIPE (the reader went away, e.g. `| head -1`) the rest is dropped; the job runs on.
            queue.async { writeAll(stream == .stdout ? 1 : 2, bytes) }
        }
    }

    /// Wait until everything handed over so far is written.
    func drain() {
        queue.sync {}
    }
}
