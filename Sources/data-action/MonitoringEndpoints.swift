import CoreMetrics
import DataAction
import FastCGI
import Prometheus

/// `GET /metrics` (the Prometheus text format) and `GET /readyz` (can the service take calls
/// now?), answered before the service's own paths. Neither asks for authentication: the nginx
/// snippet lets only this host and the monitoring addresses reach them. A class: the responder
/// asks it on every request, and a copy of a struct retained each of its parts (the service's
/// among them) every time.
final class MonitoringEndpoints: Sendable {
    static let metricsPath = "/metrics"
    static let readinessPath = "/readyz"

    let service: DataActionService
    /// The metrics registry; nil when metrics are off (`METRICS=false`): `/metrics` is then 404.
    let registry: PrometheusCollectorRegistry?
    let process: ProcessMetrics?
    /// The server's workers; nil when answering one CGI request.
    let workers: WorkerLoad?

    /// Creates the endpoints; with a registry, the process metrics are recorded into the
    /// bootstrapped metrics system too.
    init(service: DataActionService, registry: PrometheusCollectorRegistry?, workers: WorkerLoad?) {
        self.service = service
        self.registry = registry
        self.process = registry == nil ? nil : ProcessMetrics(factory: MetricsSystem.factory)
        self.workers = workers
    }

    /// The answer when `request` is for one of these endpoints; nil when it is not.
    func respond(to request: FastCGIRequest) -> FastCGIResponse? {
        if request.path == Self.metricsPath, let registry {
            return Self.read(request) {
                self.service.recordGauges()
                self.workers?.recordGauges()
                self.process?.record()
                return FastCGIResponse(
                    status: 200,
                    headers: [
                        .init(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8"),
                        .init(name: "Cache-Control", value: "no-store"),
                    ],
                    body: registry.emitToBuffer()
                )
            }
        }
        if request.path == Self.readinessPath {
            return Self.read(request) {
                let reasons = self.notReadyReasons
                let answer =
                    reasons.isEmpty
                    ? DataActionResponse(status: 200, body: .object(["status": .string("ready")]))
                    : DataActionResponse(
                        status: 503,
                        body: .object(["status": .string("not ready"), "reasons": .array(reasons.map { .string($0) })])
                    )
                return DataActionResponder.response(answer)
            }
        }
        return nil
    }

    /// `answer()` for GET and HEAD; 405 for any other method.
    private static func read(_ request: FastCGIRequest, _ answer: () -> FastCGIResponse) -> FastCGIResponse {
        if let violation = ContractViolation.onlyRead(method: request.method) {
            return DataActionResponder.response(violation.response)
        }
        return answer()
    }

    /// Why the service cannot take calls now: every upstream's circuit is open, or every
    /// worker but the one answering is busy.
    var notReadyReasons: [String] {
        var reasons = self.service.notReadyReasons
        if let workers, workers.everyWorkerBusy {
            reasons.append("every worker is busy (\(workers.workers))")
        }
        return reasons
    }
}
