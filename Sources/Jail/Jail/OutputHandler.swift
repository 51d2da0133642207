/// One of a job's two output streams.
public enum StandardStream: String, Sendable {
    case stdout, stderr
}

/// Receives a job's output as the supervisor reads it, chunk by chunk, in order: exactly the bytes that are
/// also captured for the outcome (nothing past the stream's cap).
///
/// It runs on the supervising thread, inside the poll loop: it must return quickly (copy the bytes, wake a
/// reader) and must not block. The buffer is only valid during the call.
public typealias OutputHandler = @Sendable (StandardStream, UnsafeRawBufferPointer) -> Void
