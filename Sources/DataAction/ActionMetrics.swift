import CoreMetrics

/// One action's metrics: its calls by outcome and status, and how long they took.
final class ActionMetrics: Sendable {
    private struct Key: Hashable {
        let outcome: CallOutcome
        let status: Int
    }

    private let action: String
    private let factory: any MetricsFactory
    private let duration: Timer
    /// A counter per outcome and status, made at their first call.
    private let calls = LockedValue([Key: Counter]())

    init(action: String, factory: any MetricsFactory) {
        self.action = action
        self.factory = factory
        self.duration = Timer(label: DataActionMetrics.requestDuration, dimensions: [("action", action)], factory: factory)
    }

    /// Counts one call and records its duration.
    func record(outcome: CallOutcome, status: Int, duration: Duration) {
        let key = Key(outcome: outcome, status: status)
        let counter = self.calls.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: DataActionMetrics.requests,
                dimensions: [("action", self.action), ("outcome", outcome.rawValue), ("status", String(status))],
                factory: self.factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        self.duration.recordNanoseconds(duration.nanoseconds)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }
}
