import CoreMetrics
import Prometheus

/// The swift-metrics backend: swift-prometheus' registry, with each family's help text
/// (promtool refuses a family without one, and swift-metrics' API carries none) and the
/// duration buckets.
struct PrometheusBackend: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// swift-prometheus' own factory on the same registry: its default value buckets, and it
    /// unregisters what is destroyed.
    private let prometheus: PrometheusMetricsFactory
    /// Help text by family name.
    let help: [String: String]
    /// The buckets of every duration histogram.
    let durationBuckets: [Duration]

    init(registry: PrometheusCollectorRegistry, help: [String: String], durationBuckets: [Duration]) {
        self.registry = registry
        self.prometheus = PrometheusMetricsFactory(registry: registry)
        self.help = help
        self.durationBuckets = durationBuckets
    }

    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: self.help[name] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.registry.makeCounter(descriptor: self.descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        self.registry.makeCounter(descriptor: self.descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else {
            return self.registry.makeGauge(descriptor: self.descriptor(label), labels: dimensions)
        }
        return self.registry.makeValueHistogram(
            descriptor: self.descriptor(label),
            labels: dimensions,
            buckets: self.prometheus.defaultValueHistogramBuckets
        )
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.registry.makeGauge(descriptor: self.descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.registry.makeDurationHistogram(descriptor: self.descriptor(label), labels: dimensions, buckets: self.durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        self.prometheus.destroyCounter(handler)
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        self.prometheus.destroyFloatingPointCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        self.prometheus.destroyRecorder(handler)
    }

    func destroyMeter(_ handler: any MeterHandler) {
        self.prometheus.destroyMeter(handler)
    }

    func destroyTimer(_ handler: any TimerHandler) {
        self.prometheus.destroyTimer(handler)
    }
}
