extension DataActionService {
    /// Why the service cannot take calls now; empty when it can. Only every upstream's circuit
    /// open counts: while one upstream answers, the actions that call it can be served.
    public var notReadyReasons: [String] {
        let open = self.upstreams.values.filter { $0.breaker?.state == .open }.map(\.settings.name)
        guard !open.isEmpty, open.count == self.upstreams.count else { return [] }
        return ["every upstream's circuit is open (\(open.sorted().joined(separator: ", ")))"]
    }

    /// Records the gauges that are read at a scrape rather than counted per call: each
    /// upstream's circuit state and cache entries.
    public func recordGauges() {
        for upstream in self.upstreams.values {
            upstream.recordGauges()
        }
    }
}
