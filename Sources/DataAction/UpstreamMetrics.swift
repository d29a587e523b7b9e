import CoreMetrics

/// One upstream's metrics: its calls by result and their duration, its cache's lookups and
/// entries, its circuit's state and openings (when it has a cache and a breaker). Every series
/// is made at start, so a dashboard shows zero, not nothing, before the first failure.
final class UpstreamMetrics: Sendable {
    /// A counter per result, in the order of ``UpstreamResult/allCases``.
    private let calls: [Counter]
    private let duration: Timer
    private let cacheLookups: [CacheOutcome: Counter]
    let cacheEntries: Gauge?
    let circuitState: Gauge?
    let circuitOpenings: Counter?

    init(upstream: String, cached: Bool, breaking: Bool, factory: any MetricsFactory) {
        let name = ("upstream", upstream)
        self.calls = UpstreamResult.allCases.map {
            Counter(label: DataActionMetrics.upstreamCalls, dimensions: [name, ("result", $0.rawValue)], factory: factory)
        }
        self.duration = Timer(label: DataActionMetrics.upstreamDuration, dimensions: [name], factory: factory)
        self.cacheLookups = Dictionary(
            uniqueKeysWithValues: (cached ? [CacheOutcome.hit, .miss, .coalesced] : []).map {
                ($0, Counter(label: DataActionMetrics.cacheLookups, dimensions: [name, ("result", $0.rawValue)], factory: factory))
            }
        )
        self.cacheEntries = cached ? Gauge(label: DataActionMetrics.cacheEntries, dimensions: [name], factory: factory) : nil
        self.circuitState = breaking ? Gauge(label: DataActionMetrics.circuitState, dimensions: [name], factory: factory) : nil
        self.circuitOpenings = breaking ? Counter(label: DataActionMetrics.circuitOpenings, dimensions: [name], factory: factory) : nil
    }

    /// Counts a call's result; its duration when it was sent.
    func record(_ result: ActionResult, duration: Duration?) {
        self.calls[UpstreamResult(result).index].increment()
        if let duration {
            self.duration.recordNanoseconds(duration.nanoseconds)
        }
    }

    /// Counts a cache lookup.
    func record(_ outcome: CacheOutcome) {
        self.cacheLookups[outcome]?.increment()
    }
}
