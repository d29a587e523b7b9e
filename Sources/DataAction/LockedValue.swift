#if canImport(Glibc)
import Glibc
#endif

/// A value behind a plain pthread mutex.
///
/// Every worker takes the cache's and the breaker's lock on every call. `Synchronization`'s
/// `Mutex` spins and then takes a priority-inheritance futex; a plain mutex hands the lock on
/// without either (bench/RESULTS.md, "Measurements behind the code").
final class LockedValue<Value>: @unchecked Sendable {
    // Sendable: `value` is only touched while `mutex` is held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        // A default mutex fails only when misused or when it cannot be made: either stops.
        let status = pthread_mutex_init(self.mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with \(status)")
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        let status = pthread_mutex_lock(self.mutex)
        precondition(status == 0, "pthread_mutex_lock failed with \(status)")
        defer {
            let status = pthread_mutex_unlock(self.mutex)
            precondition(status == 0, "pthread_mutex_unlock failed with \(status)")
        }
        return try body(&self.value)
    }
}
