#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex (the warm pool's state, shared by job threads and its refill thread).
final class Locked<Value>: @unchecked Sendable {
    // `value` is only touched with `mutex` held: that is what makes the class Sendable.
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Run `body` with the lock held.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
