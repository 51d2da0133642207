#if canImport(Glibc)
import Glibc
#endif

/// A dedicated POSIX thread that runs one closure for as long as it takes: the scheduler's sandbox workers.
///
/// Jobs must be spawned from threads that outlive them: a job's init arms `PR_SET_PDEATHSIG`, which fires when
/// the *thread* that cloned it exits, so a job spawned from a pooled or short-lived thread could be killed when
/// the pool retires that thread. A worker lives until the scheduler stops.
enum WorkerThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Start a detached thread running `body`; `name` identifies it in errors.
    ///
    /// - Throws: `WorkerThreadError` with pthread_create's error if the thread cannot be created.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(WorkerThreadError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw WorkerThreadError(name: name, errno: rc)
        }
    }
}

/// A worker thread could not be created.
struct WorkerThreadError: Error, CustomStringConvertible {
    var name: String
    var errno: Int32

    var description: String {
        "cannot start worker thread \(name): \(String(cString: strerror(errno))) (raise the process's thread limit)"
    }
}
