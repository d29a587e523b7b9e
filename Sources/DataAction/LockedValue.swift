#if canImport(Glibc)
import Glibc
#endif

/// A value behind a plain pthread mutex.
///
/// Every worker takes the cache's and the breaker's lock on every call. `Synchronization`'s
/// `Mutex` spins and then takes a priority-inheritance futex, which was a measured fifth of
/// the service's CPU on cache hits under load; a plain mutex hands the lock on without either.
final class LockedValue<Value>: @unchecked Sendable {
    // Sendable: `value` is only touched while `mutex` is held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(self.mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        return try body(&self.value)
    }
}
