import CoreMetrics
import DataAction
import FastCGI
import Prometheus

/// Sends metrics to a Prometheus registry, which `GET /metrics` writes out.
enum MetricsSetup {
    /// Every duration histogram's buckets, in seconds: from a cached call (well under a
    /// millisecond) to the longest an action may take in Genesys (60 s).
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(20), .seconds(30), .seconds(60),
    ]

    static let buildInfo = "data_action_build_info"

    /// Help text for every family the service exports.
    static let help: [String: String] = DataActionMetrics.help
        .merging(FastCGIMetrics.help) { first, _ in first }
        .merging(ProcessMetrics.help) { first, _ in first }
        .merging([buildInfo: "Always 1; its label is the version of data-action running."]) { first, _ in first }

    /// Bootstraps swift-metrics once with a Prometheus registry, and returns the registry.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusBackend(registry: registry, help: Self.help, durationBuckets: Self.durationBuckets))
        Gauge(label: Self.buildInfo, dimensions: [("version", DataActionVersion.current)]).record(1)
        return registry
    }
}
