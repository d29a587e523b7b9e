import Dispatch

/// Runs async work from a plain thread and waits for its result.
///
/// FastCGI workers are OS threads blocked in libfcgi; the responder is async. The worker
/// waits on a semaphore while the work runs on Swift's concurrency pool, which keeps the pool's
/// few threads free for everyone else.
enum BlockingBridge {
    /// Runs `operation` and blocks the calling thread until it returns.
    ///
    /// Never call it from a task: it would block one of the concurrency pool's threads.
    static func run<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) -> Result {
        let box = ResultBox<Result>()
        Task {
            box.result = await operation()
            box.done.signal()
        }
        box.done.wait()
        return box.result!
    }

    /// Carries the result from the task to the waiting thread; the semaphore orders the
    /// write before the read.
    private final class ResultBox<Result>: @unchecked Sendable {
        var result: Result?
        let done = DispatchSemaphore(value: 0)
    }
}
