import CoreMetrics
import Synchronization

/// How many of a server's workers are serving a request: the server counts, and a readiness
/// check or a metrics scrape reads it.
public final class WorkerLoad: Sendable {
    /// The server's worker threads.
    public let workers: Int
    private let inFlight = Atomic<Int>(0)
    private let workersGauge: Gauge
    private let busyGauge: Gauge

    init(workers: Int, metrics: any MetricsFactory) {
        self.workers = workers
        self.workersGauge = Gauge(label: FastCGIMetrics.workers, factory: metrics)
        self.busyGauge = Gauge(label: FastCGIMetrics.workersBusy, factory: metrics)
    }

    /// The workers serving a request now.
    public var busy: Int { self.inFlight.load(ordering: .relaxed) }

    /// True when no worker is free (asked by a worker, it counts itself).
    public var everyWorkerBusy: Bool { self.busy >= self.workers }

    /// A request began; returns the workers busy with it counted.
    func began() -> Int {
        self.inFlight.add(1, ordering: .relaxed).newValue
    }

    /// A request ended.
    func ended() {
        self.inFlight.subtract(1, ordering: .relaxed)
    }

    /// Records the worker count and the workers busy, from the worker that serves the scrape
    /// (not counted): read at each scrape instead of counted per request, which would cost
    /// every request.
    public func recordGauges() {
        self.workersGauge.record(self.workers)
        self.busyGauge.record(max(0, self.busy - 1))
    }
}
