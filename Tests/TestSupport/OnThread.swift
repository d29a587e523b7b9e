import Foundation

/// Runs blocking work on a thread of its own and awaits its result, so async tests can call
/// the synchronous core (which blocks its thread on the upstream) many at once without
/// holding the concurrency pool's few threads.
public func onThread<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
