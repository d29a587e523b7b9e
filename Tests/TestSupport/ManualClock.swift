import Synchronization

/// A clock that stands still until a test moves it, for expiry and cool-downs without waiting.
public final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    public init() {}

    /// The current instant.
    public var now: ContinuousClock.Instant { self.instant.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by duration: Duration) { self.instant.withLock { $0 += duration } }
}
