import Foundation

/// A real Prometheus server (Debian's `prometheus`) in the foreground, scraping one target
/// every second, with its HTTP API on loopback.
public final class PrometheusServer: Sendable {
    public let port: Int
    private let process: ServiceProcess
    private let client: HTTPTestClient

    /// Starts Prometheus in `directory`, scraping `http://127.0.0.1:targetPort/metrics` as
    /// job `data-action`, and waits until it is ready.
    public init(directory: TemporaryDirectory, targetPort: Int) async throws {
        self.port = try await ClosedPort.find()
        self.client = HTTPTestClient(port: self.port)
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: data-action
            metrics_path: /metrics
            static_configs:
              - targets: ["127.0.0.1:\(targetPort)"]
        """.write(toFile: directory.file("prometheus.yml"), atomically: true, encoding: .utf8)
        self.process = try ServiceProcess(
            executable: "/usr/bin/prometheus",
            arguments: [
                "--config.file=\(directory.file("prometheus.yml"))", "--storage.tsdb.path=\(directory.file("prometheus-data"))",
                "--web.listen-address=127.0.0.1:\(self.port)", "--log.level=warn",
            ],
            environment: [:],
            workingDirectory: directory.path
        )
        let deadline = ContinuousClock.now + .seconds(60)
        let client = self.client
        while (try? await onThread { try client.send("GET", "/-/ready") })?.status != 200 {
            guard self.process.isRunning, ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "prometheus did not become ready: \(self.process.standardError)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The answer of `/api/v1/query` for `expression`, as JSON.
    public func query(_ expression: String) async throws -> [String: Any] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let client = self.client
        let answer = try await onThread { try client.send("GET", "/api/v1/query?query=\(encoded)") }
        guard let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            throw ProcessFailure(description: "not JSON from the query API: \(answer.text)")
        }
        return json
    }

    /// The sample values of an instant query's vector result.
    public func values(_ expression: String) async throws -> [Double] {
        let json = try await self.query(expression)
        let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.compactMap { ($0["value"] as? [Any])?.last as? String }.compactMap(Double.init)
    }

    /// Waits until `expression` has exactly the values `expected` (in any order); fails after
    /// 30 seconds with what it last saw.
    public func waitFor(_ expression: String, toBe expected: [Double]) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var seen: [Double] = []
        while true {
            seen = try await self.values(expression)
            if seen.sorted() == expected.sorted() { return }
            guard ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "\(expression) is \(seen), not \(expected)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Runs `body` with a Prometheus started in `directory`, and stops it (awaited) whether
    /// `body` returns or throws.
    public static func with<Result>(
        directory: TemporaryDirectory,
        targetPort: Int,
        _ body: (PrometheusServer) async throws -> Result
    ) async throws -> Result {
        let prometheus = try await PrometheusServer(directory: directory, targetPort: targetPort)
        do {
            let result = try await body(prometheus)
            try await prometheus.stop()
            return result
        } catch {
            try? await prometheus.stop()
            throw error
        }
    }

    /// Stops Prometheus.
    public func stop() async throws {
        self.process.signal(SIGTERM)
        _ = try await self.process.waitForExit()
    }
}
