import CoreMetrics
import Prometheus

/// The swift-metrics backend: swift-prometheus' registry, with each family's help text
/// (promtool refuses a family without one, and swift-metrics' API carries none) and the
/// duration buckets.
struct PrometheusBackend: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// Help text by family name.
    let help: [String: String]
    /// The buckets of every duration histogram.
    let durationBuckets: [Duration]

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
            buckets: PrometheusMetricsFactory(registry: self.registry).defaultValueHistogramBuckets
        )
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.registry.makeGauge(descriptor: self.descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.registry.makeDurationHistogram(descriptor: self.descriptor(label), labels: dimensions, buckets: self.durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        PrometheusMetricsFactory(registry: self.registry).destroyCounter(handler)
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        PrometheusMetricsFactory(registry: self.registry).destroyFloatingPointCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        PrometheusMetricsFactory(registry: self.registry).destroyRecorder(handler)
    }

    func destroyMeter(_ handler: any MeterHandler) {
        PrometheusMetricsFactory(registry: self.registry).destroyMeter(handler)
    }

    func destroyTimer(_ handler: any TimerHandler) {
        PrometheusMetricsFactory(registry: self.registry).destroyTimer(handler)
    }
}
