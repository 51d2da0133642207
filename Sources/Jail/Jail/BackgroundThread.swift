#if canImport(Glibc)
import Glibc
#endif

/// A dedicated POSIX thread for long blocking work, never a Dispatch or cooperative-pool thread: the warm pool's
/// refill loop, and the engine's sandbox workers (`ExecutionScheduler`).
///
/// Jobs must be spawned from threads that outlive them: a job's init arms `PR_SET_PDEATHSIG`, which fires when the
/// *thread* that cloned it exits, so a job spawned from a pooled or short-lived thread could be killed when the
/// pool retires that thread. A background thread lives until its closure returns.
public enum BackgroundThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Start `body` on a new joinable thread (join it with `pthread_join`); nil if the thread could not be created.
    public static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        try? create(name: "background", detached: false, body)
    }

    /// Start `body` on a new detached thread; `name` identifies it in the error.
    ///
    /// - Throws: `BackgroundThreadError` with pthread_create's error if the thread cannot be created.
    public static func startDetached(name: String, _ body: @escaping @Sendable () -> Void) throws(BackgroundThreadError) {
        _ = try create(name: name, detached: true, body)
    }

    private static func create(name: String, detached: Bool,
                               _ body: @escaping @Sendable () -> Void) throws(BackgroundThreadError) -> pthread_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw BackgroundThreadError(name: name, errno: rc)
        }
        return thread
    }
}

/// A background thread could not be created.
public struct BackgroundThreadError: Error, Sendable, CustomStringConvertible {
    /// The thread's name, e.g. `bexy-worker-3`.
    public var name: String
    /// pthread_create's error number.
    public var errno: Int32

    public var description: String {
        "cannot start thread \(name): \(String(cString: strerror(errno))) (raise the process's thread limit)"
    }
}
