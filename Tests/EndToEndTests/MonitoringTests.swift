import Foundation
import TestSupport
import Testing

/// `/metrics`, `/readyz` and `/healthz` through real nginx with the shipped snippet, the real
/// binary and a real upstream; promtool and a real Prometheus read what the service exports.
@Suite("Monitoring through nginx", .timeLimit(.minutes(5)))
struct MonitoringTests {
    static let upstreamSecret = "Bearer upstream-canary-secret-5b1f9e"
    let nginx = ThroughNginxTests()

    /// A cache, so that hits and misses are counted, and an upstream credential that must not
    /// show.
    static func environment(_ stub: UpstreamStub) -> [String: String] {
        ["CACHE_TTL_SECONDS": "60", "UPSTREAM_AUTHORIZATION": Self.upstreamSecret]
    }

    static func get(_ path: String, _ stack: ThroughNginxTests.Stack, from source: String = "127.0.0.1") async throws -> HTTPTestClient.Answer {
        let client = stack.client
        return try await onThread { try client.send("GET", path, from: source) }
    }

    static func scrape(_ stack: ThroughNginxTests.Stack) async throws -> PrometheusText {
        let answer = try await Self.get("/metrics", stack)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        return PrometheusText(answer.text)
    }

    /// Eight calls to the user lookup (3 found, of which 2 from the cache; not found; no
    /// credentials; an input against its rule; an upstream error; an upstream timeout) and one
    /// to a path that is no action.
    static func knownMix(_ stack: ThroughNginxTests.Stack, correlationId: String = UUID().uuidString) async throws {
        let headers = ThroughNginxTests.genesysHeaders(correlationId: correlationId)
        let calls: [(body: String, headers: [String: String], status: Int)] = [
            (#"{"userId":"1"}"#, headers, 200),
            (#"{"userId":"1"}"#, headers, 200),
            (#"{"userId":"1"}"#, headers, 200),
            (#"{"userId":"424242"}"#, headers, 200),
            (#"{"userId":"1"}"#, headers.filter { $0.key != "Authorization" }, 401),
            (#"{"userId":"../canary-input"}"#, headers, 400),
            (#"{"userId":"error"}"#, headers, 502),
            (#"{"userId":"slow"}"#, headers, 504),
        ]
        for call in calls {
            #expect(try await stack.post(call.body, headers: call.headers).status == call.status, "\(call.body)")
        }
        let client = stack.client
        let unrouted = try await onThread {
            try client.send("POST", "/data-action/no-such-action", headers: headers, body: Array(#"{"userId":"1"}"#.utf8))
        }
        #expect(unrouted.status == 404)
    }

    @Test("a scrape after a known mix of calls has exactly the counts that mix should produce")
    func countsOfAKnownMix() async throws {
        try await self.nginx.withStack(environment: Self.environment) { stack in
            try await Self.knownMix(stack)
            // The last call's worker may still be finishing its answer: scrape again until idle.
            var metrics = try await Self.scrape(stack)
            try await waitUntil("no worker busy but the scrape's") {
                metrics = try await Self.scrape(stack)
                return metrics.value("fastcgi_workers_busy") == 0
            } saw: {
                "\(metrics.value("fastcgi_workers_busy").map { "\($0)" } ?? "no gauge") busy"
            }
            let action = ["action": "user-lookup"]
            let requests: [(outcome: String, status: String, count: Double)] = [
                ("found", "200", 3), ("not-found", "200", 1), ("unauthorized", "401", 1), ("bad-request", "400", 1),
                ("upstream-error", "502", 1), ("upstream-timeout", "504", 1),
            ]
            #expect(metrics.series("data_action_requests_total").count == requests.count)
            for row in requests {
                let labels = action.merging(["outcome": row.outcome, "status": row.status]) { $1 }
                #expect(metrics.value("data_action_requests_total", labels) == row.count, "\(row)")
            }
            #expect(metrics.value("data_action_request_duration_seconds_count", action) == 8)
            #expect(metrics.value("data_action_request_duration_seconds_bucket", action.merging(["le": "+Inf"]) { $1 }) == 8)
            // The timeout took the whole 1 s deadline; the other seven answered well within it.
            #expect(metrics.value("data_action_request_duration_seconds_bucket", action.merging(["le": "0.5"]) { $1 }) == 7)
            #expect(metrics.value("data_action_unrouted_requests_total") == 1)

            let upstream = ["upstream": "users"]
            let calls: [String: Double] = [
                "found": 1, "not-found": 1, "error": 1, "timeout": 1, "unreachable": 0, "invalid": 0, "internal-error": 0, "circuit-open": 0,
            ]
            for (result, count) in calls {
                #expect(metrics.value("data_action_upstream_calls_total", upstream.merging(["result": result]) { $1 }) == count, "\(result)")
            }
            #expect(metrics.value("data_action_upstream_call_duration_seconds_count", upstream) == 4)
            #expect(metrics.value("data_action_cache_lookups_total", upstream.merging(["result": "hit"]) { $1 }) == 2)
            #expect(metrics.value("data_action_cache_lookups_total", upstream.merging(["result": "miss"]) { $1 }) == 4)
            #expect(metrics.value("data_action_cache_lookups_total", upstream.merging(["result": "coalesced"]) { $1 }) == 0)
            #expect(metrics.value("data_action_cache_entries", upstream) == 1)
            #expect(metrics.value("data_action_circuit_state", upstream) == 0)
            #expect(metrics.value("data_action_circuit_openings_total", upstream) == 0)
            #expect(stack.stub.requests.count == 4, "the upstream saw exactly the calls counted")

            #expect(metrics.value("fastcgi_workers") == 16)
            #expect(metrics.value("fastcgi_workers_busy") == 0)
            #expect(metrics.value("fastcgi_overload_refusals_total") == 0)
            #expect(metrics.value("fastcgi_stream_check_closes_total", ["reason": "refused"]) == 0)
            #expect(metrics.value("data_action_build_info", ["version": try await Self.version()]) == 1)
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((metrics.value("process_open_fds") ?? 0) > 3)
            #expect((metrics.value("process_threads") ?? 0) > 16)
            let started = metrics.value("process_start_time_seconds") ?? 0
            #expect(abs(started - Date().timeIntervalSince1970) < 600)
        }
    }

    @Test("the scrape passes promtool check metrics (names, types, help text, units)")
    func promtool() async throws {
        try await self.nginx.withStack(environment: Self.environment) { stack in
            try await Self.knownMix(stack)
            let metrics = try await Self.scrape(stack)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let check = try ServiceProcess(
                executable: "/usr/bin/promtool",
                arguments: ["check", "metrics"],
                environment: [:],
                standardInput: Array(metrics.text.utf8),
                workingDirectory: directory.path
            )
            #expect(try await check.waitForExit() == 0, "\(check.standardOutput)\(check.standardError)")
            #expect(check.standardOutput.isEmpty && check.standardError.isEmpty, "\(check.standardOutput)\(check.standardError)")
        }
    }

    @Test("nothing in /metrics carries a secret, an input value or a correlation id")
    func nothingFromRequests() async throws {
        try await self.nginx.withStack(environment: Self.environment) { stack in
            let correlationId = "correlation-canary-\(UUID().uuidString)"
            try await Self.knownMix(stack, correlationId: correlationId)
            let text = try await Self.scrape(stack).text
            for canary in [
                ThroughNginxTests.secret, Self.upstreamSecret, "upstream-canary-secret", correlationId, "canary-input", "424242", "no-such-action",
            ] {
                #expect(!text.contains(canary), "\(canary)")
            }
            // Label values are the configuration's names and fixed words only.
            let allowed: Set<String> = ["user-lookup", "users", "refused", "abandoned", try await Self.version()]
            let metrics = PrometheusText(text)
            for sample in metrics.samples {
                for (name, value) in sample.labels where !["outcome", "status", "result", "le"].contains(name) {
                    #expect(allowed.contains(value), "\(sample.name) \(name)=\(value)")
                }
            }
        }
    }

    @Test("calls that arrive while the same upstream call is under way are counted as coalesced, and the upstream once")
    func coalescedLookups() async throws {
        let environment: (UpstreamStub) -> [String: String] = { _ in ["CACHE_TTL_SECONDS": "60", "UPSTREAM_TIMEOUT_MS": "30000"] }
        try await self.nginx.withStack(environment: environment) { stack in
            async let leader = stack.post(#"{"userId":"held"}"#)
            try await stack.stub.waitUntilHeld(1)
            // The upstream holds the leader's call at its gate; these three join it, and are
            // counted as they join.
            async let followers = withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await stack.post(#"{"userId":"held"}"#).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var coalesced: Double?
            try await waitUntil("three calls joining the leader's upstream call") {
                coalesced = try await Self.scrape(stack).value("data_action_cache_lookups_total", ["upstream": "users", "result": "coalesced"])
                return coalesced == 3
            } saw: {
                "\(coalesced.map { "\($0)" } ?? "none") coalesced"
            }
            stack.stub.openGate()
            #expect(try await leader.status == 200)
            #expect(try await followers == [200, 200, 200])
            let metrics = try await Self.scrape(stack)
            let upstream = ["upstream": "users"]
            #expect(metrics.value("data_action_cache_lookups_total", upstream.merging(["result": "miss"]) { $1 }) == 1)
            #expect(metrics.value("data_action_cache_lookups_total", upstream.merging(["result": "coalesced"]) { $1 }) == 3)
            #expect(metrics.value("data_action_upstream_calls_total", upstream.merging(["result": "found"]) { $1 }) == 1)
            #expect(stack.stub.requests.count == 1)
        }
    }

    @Test("/healthz, /readyz and /metrics answer this host and a listed monitoring address, and nobody else")
    func refusedFromOutside() async throws {
        try await self.nginx.withStack(monitoringAllow: "allow 127.0.0.3;\n", environment: Self.environment) { stack in
            for path in ["/healthz", "/readyz", "/metrics"] {
                #expect(try await Self.get(path, stack).status == 200, "\(path) from this host")
                #expect(try await Self.get(path, stack, from: "127.0.0.3").status == 200, "\(path) from the monitoring address")
                let outside = try await Self.get(path, stack, from: "127.0.0.2")
                #expect(outside.status == 403, "\(path) from outside")
                #expect(!outside.text.contains("data_action"), "\(path) from outside")
            }
        }
    }

    @Test("another method than GET or HEAD on /healthz, /readyz or /metrics answers 405 with Allow: GET, HEAD")
    func onlyRead() async throws {
        try await self.nginx.withStack(environment: Self.environment) { stack in
            let client = stack.client
            for path in ["/healthz", "/readyz", "/metrics"] {
                let answer = try await onThread { try client.send("POST", path, body: Array("{}".utf8)) }
                #expect(answer.status == 405, "\(path)")
                #expect(answer.headers["allow"] == "GET, HEAD", "\(path)")
                #expect(answer.text == #"{"errors":[{"message":"Method not allowed; use GET, HEAD."}]}"#, "\(path)")
                let head = try await onThread { try client.send("HEAD", path) }
                #expect(head.status == 200 && head.body.isEmpty, "\(path)")
                #expect(head.headers["content-length"].flatMap { Int($0) }.map { $0 > 0 } == true, "\(path)")
                if path != "/metrics" {
                    let get = try await onThread { try client.send("GET", path) }
                    #expect(head.headers["content-length"] == String(get.body.count), "\(path): as long as its GET")
                }
            }
        }
    }

    @Test("/readyz answers 503 with the reason while every circuit is open, and 200 once the cool-down is over")
    func notReadyWhileCircuitOpen() async throws {
        let environment: (UpstreamStub) -> [String: String] = { _ in
            ["UPSTREAM_BREAKER_FAILURES": "2", "UPSTREAM_BREAKER_COOLDOWN_SECONDS": "2"]
        }
        try await self.nginx.withStack(environment: environment) { stack in
            #expect(try await Self.get("/readyz", stack).text == #"{"status":"ready"}"#)
            for _ in 0..<2 {
                #expect(try await stack.post(#"{"userId":"reset"}"#).status == 502)
            }
            let notReady = try await Self.get("/readyz", stack)
            #expect(notReady.status == 503)
            #expect(notReady.text == #"{"reasons":["every upstream's circuit is open (users)"],"status":"not ready"}"#)
            #expect(try await Self.get("/healthz", stack).status == 200, "the process still answers")
            let open = try await Self.scrape(stack)
            #expect(open.value("data_action_circuit_state", ["upstream": "users"]) == 2)
            #expect(open.value("data_action_circuit_openings_total", ["upstream": "users"]) == 1)
            // A call while it is open is answered at once, counted as not sent.
            #expect(try await stack.post(#"{"userId":"1"}"#).status == 502)
            let rejected = try await Self.scrape(stack)
            #expect(rejected.value("data_action_upstream_calls_total", ["upstream": "users", "result": "circuit-open"]) == 1)
            #expect(rejected.value("data_action_upstream_call_duration_seconds_count", ["upstream": "users"]) == 2)

            // After the cool-down (2 s) the next call is the probe: ready again.
            #expect(try await Self.readiness(stack, until: 200).status == 200)
            #expect(try await Self.scrape(stack).value("data_action_circuit_state", ["upstream": "users"]) == 1)
            #expect(try await stack.post(#"{"userId":"1"}"#).status == 200)
            #expect(try await Self.scrape(stack).value("data_action_circuit_state", ["upstream": "users"]) == 0)
        }
    }

    @Test("/readyz answers 503 while every other worker is busy, and the scrape shows them busy")
    func notReadyWhileWorkersBusy() async throws {
        let environment: (UpstreamStub) -> [String: String] = { _ in ["UPSTREAM_TIMEOUT_MS": "30000"] }
        try await self.nginx.withStack(workers: 4, environment: environment) { stack in
            async let first = stack.post(#"{"userId":"held"}"#)
            async let second = stack.post(#"{"userId":"held"}"#)
            try await stack.stub.waitUntilHeld(2)
            // Two of four busy, one answers the scrape: the busy gauge leaves the scrape out.
            #expect(try await Self.scrape(stack).value("fastcgi_workers_busy") == 2)
            // The scrape's worker may still be finishing its answer when the check arrives.
            #expect(try await Self.readiness(stack, until: 200).status == 200)
            async let third = stack.post(#"{"userId":"held"}"#)
            try await stack.stub.waitUntilHeld(3)
            let notReady = try await Self.get("/readyz", stack)
            #expect(notReady.status == 503)
            #expect(notReady.text == #"{"reasons":["every worker is busy (4)"],"status":"not ready"}"#)
            stack.stub.openGate()
            #expect(try await [first.status, second.status, third.status] == [200, 200, 200])
            #expect(try await Self.readiness(stack, until: 200).status == 200)
        }
    }

    @Test("a real Prometheus scrapes /metrics through the shipped nginx snippet, and its query API returns the calls by action and outcome")
    func prometheusScrapes() async throws {
        try await self.nginx.withStack(environment: Self.environment) { stack in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await PrometheusServer.with(directory: directory, targetPort: stack.nginx.port) { prometheus in
                try await prometheus.waitFor(#"up{job="data-action"}"#, toBe: [1])
                try await Self.knownMix(stack)
                try await prometheus.waitFor(#"data_action_requests_total{action="user-lookup",outcome="found",status="200"}"#, toBe: [3])
                try await prometheus.waitFor(#"sum by (outcome) (data_action_requests_total{action="user-lookup"})"#, toBe: [3, 1, 1, 1, 1, 1])
                try await prometheus.waitFor(#"data_action_upstream_calls_total{upstream="users",result=~"found|timeout"}"#, toBe: [1, 1])
                try await prometheus.waitFor(#"data_action_cache_lookups_total{upstream="users",result="hit"}"#, toBe: [2])
                try await prometheus.waitFor(#"data_action_request_duration_seconds_count{action="user-lookup"}"#, toBe: [8])
                try await prometheus.waitFor("fastcgi_workers", toBe: [16])
            }
        }
    }

    @Test(
        "every query of the Grafana dashboard runs on a real Prometheus and returns data after a known mix; the alerting rules read only exported series"
    )
    func dashboardQueries() async throws {
        let dashboard = try Self.dashboardQueries()
        #expect(dashboard.count >= 20)
        try await self.nginx.withStack(environment: Self.environment) { stack in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await PrometheusServer.with(directory: directory, targetPort: stack.nginx.port) { prometheus in
                try await Self.knownMix(stack)
                let families = try await Self.scrape(stack).families
                let rules = try String(contentsOfFile: NginxProcess.repositoryRoot + "/deploy/prometheus/data-action.rules.yml", encoding: .utf8)
                #expect(Self.metricNames(in: rules).count >= 6)
                for name in Self.metricNames(in: rules) {
                    #expect(families.contains(name), "\(name) in the alerting rules")
                }
                for query in dashboard {
                    for name in Self.metricNames(in: query) {
                        #expect(families.contains(name), "\(name) in \(query)")
                    }
                    let deadline = ContinuousClock.now + .seconds(30)
                    var answer = try await prometheus.query(query)
                    while Self.resultCount(answer) == 0 && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(250))
                        answer = try await prometheus.query(query)
                    }
                    #expect(answer["status"] as? String == "success", "\(query): \(answer)")
                    #expect(Self.resultCount(answer) > 0, "no data for \(query)")
                }
            }
        }
    }

    @Test("the alerting rules pass promtool check rules, and promtool test rules raises each alert on the failing instance only")
    func alertingRules() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = NginxProcess.repositoryRoot + "/deploy/prometheus/"
        for arguments in [["check", "rules", rules + "data-action.rules.yml"], ["test", "rules", rules + "data-action.rules.test.yml"]] {
            let promtool = try ServiceProcess(
                executable: "/usr/bin/promtool",
                arguments: arguments,
                environment: [:],
                workingDirectory: directory.path
            )
            #expect(try await promtool.waitForExit() == 0, "\(arguments): \(promtool.standardOutput)\(promtool.standardError)")
            #expect(promtool.standardOutput.contains("SUCCESS"), "\(arguments)")
        }
    }

    /// The dashboard's queries as Prometheus runs them: its variables set to everything, the
    /// rate window to a minute, the range to five; a variable's `label_values` as a count.
    static func dashboardQueries() throws -> [String] {
        let path = NginxProcess.repositoryRoot + "/deploy/grafana/data-action.json"
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        let panels = json["panels"] as? [[String: Any]] ?? []
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let variables = ((json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).compactMap { $0["definition"] as? String }
        let counts = try variables.map { definition in
            let match = try #/label_values\((.*), (\w+)\)/#.wholeMatch(in: definition)
            return match.map { "count by (\($0.2)) (\($0.1))" } ?? definition
        }
        return (expressions + counts).map {
            $0.replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(of: "$__range", with: "5m")
                .replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "$action", with: ".*")
        }
    }

    /// The service's family names a query reads (a histogram's by its family name).
    static func metricNames(in query: String) -> Set<String> {
        Set(
            query.matches(of: #/\b(?:data_action|fastcgi|process)_[a-z_]+\b/#).map { match in
                let name = String(match.output)
                for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) && name.contains("_seconds") {
                    return String(name.dropLast(suffix.count))
                }
                return name
            }
        )
    }

    static func resultCount(_ answer: [String: Any]) -> Int {
        ((answer["data"] as? [String: Any])?["result"] as? [Any])?.count ?? 0
    }

    @Test("with METRICS=false, /metrics is not served and calls are answered as before")
    func metricsOff() async throws {
        let environment: (UpstreamStub) -> [String: String] = { _ in ["METRICS": "false"] }
        try await self.nginx.withStack(environment: environment) { stack in
            let call = try await stack.post(#"{"userId":"1"}"#)
            #expect(call.status == 200)
            #expect(try await Self.get("/metrics", stack).status == 404)
            #expect(try await Self.get("/readyz", stack).status == 200)
        }
    }

    /// `/readyz`, asked again until it answers `status` (a worker that has just answered is
    /// busy until it has finished writing); the last answer after 10 seconds.
    static func readiness(_ stack: ThroughNginxTests.Stack, until status: Int) async throws -> HTTPTestClient.Answer {
        let deadline = ContinuousClock.now + .seconds(10)
        var answer = try await Self.get("/readyz", stack)
        while answer.status != status && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            answer = try await Self.get("/readyz", stack)
        }
        return answer
    }

    /// The version the binary reports.
    static func version() async throws -> String {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try ServiceProcess(arguments: ["--version"], environment: [:], workingDirectory: directory.path)
        _ = try await process.waitForExit()
        return process.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
