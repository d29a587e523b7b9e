import Foundation
import TestSupport
import Testing

/// More slow calls than workers: the ones no worker takes within OVERLOAD_WAIT_MS are answered
/// 503 with Retry-After instead of waiting out the caller's timeout.
@Suite("Overload")
struct OverloadTests {
    @Test("with every worker busy, a new call gets 503 and Retry-After, counted; the busy ones still finish; then calls are served again")
    func busyWorkers() async throws {
        try await ServeTests().withService(
            .socket(workers: 2, environment: ["OVERLOAD_WAIT_MS": "100", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { process, client, stub in
            let slow = Array(#"{"userId":"slow"}"#.utf8)
            async let first = onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
            async let second = onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
            // Both workers are busy once both lookups have reached the upstream.
            while stub.requests.count < 2 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let refused = try await onThread {
                try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.headers["content-type"] == "application/json; charset=utf-8")
            #expect(refused.text == #"{"errors":[{"message":"The service is busy; try again shortly."}]}"#)
            // 503 comes before every other check: no credentials, a wrong method and path.
            let unchecked = try await onThread {
                try client.send(parameters: FastCGITestClient.parameters(method: "GET", path: "/nowhere", headers: [:], bodyLength: 0))
            }
            #expect(unchecked.status == 503)
            #expect(unchecked.headers["cache-control"] == "no-store")
            #expect(stub.requests.count == 2, "the refused calls never reached the upstream")

            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            let afterwards = try await onThread {
                try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(afterwards.status == 200)
            try await process.waitForStandardError(
                containing: "every worker is busy: answering 503 to requests that wait longer than 0.1 seconds",
                timeout: .seconds(10)
            )
            #expect(try await ServeTests.scrape(client).value("fastcgi_overload_refusals_total") == 2)
        }
    }

    /// How the callers of ``boundedWait(arrival:)`` arrive.
    enum Arrival: String, CaseIterable, CustomTestStringConvertible {
        case atOnce = "at once"
        case stream = "in a stream over a second"
        var testDescription: String { self.rawValue }
    }

    @Test(
        "24 callers, 4 workers, a 1-s directory: each gets 200 within the wait plus the call, or 503 within the wait; every call a worker took finishes",
        arguments: Arrival.allCases
    )
    func boundedWait(arrival: Arrival) async throws {
        try await ServeTests().withService(
            .socket(workers: 4, environment: ["OVERLOAD_WAIT_MS": "1000", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { _, client, stub in
            let slow = Array(#"{"userId":"slow"}"#.utf8)
            let answers = try await withThrowingTaskGroup(of: (status: Int, seconds: Double).self) { group in
                for caller in 0..<24 {
                    if arrival == .stream && caller > 0 {
                        try await Task.sleep(for: .milliseconds(40))
                    }
                    group.addTask {
                        let started = ContinuousClock.now
                        let answer = try await onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
                        let waited = ContinuousClock.now - started
                        return (answer.status, Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let served = answers.filter { $0.status == 200 }
            let refused = answers.filter { $0.status == 503 }
            print(
                "overload \(arrival.rawValue): \(served.count) served, the last after \(served.map(\.seconds).max() ?? 0) s; "
                    + "\(refused.count) refused, the last after \(refused.map(\.seconds).max() ?? 0) s"
            )
            #expect(served.count + refused.count == 24, "every answer is 200 or 503: \(answers.map(\.status))")
            #expect(served.count >= 4 && !refused.isEmpty)
            #expect(stub.requests.count == served.count, "a refused call never reaches the upstream")
            // The bound, with a second's room for a busy machine; without it callers were
            // served in rounds, the last after six seconds.
            #expect(served.allSatisfy { $0.seconds < 1 + 1 + 1 }, "served after \(served.map(\.seconds).max() ?? 0) s")
            #expect(refused.allSatisfy { $0.seconds < 1 + 1 }, "refused after \(refused.map(\.seconds).max() ?? 0) s")
        }
    }

    @Test("SIGTERM while calls wait for a worker: they are served during the grace period, not refused")
    func shutdownServesTheWaiting() async throws {
        try await ServeTests().withService(
            .socket(workers: 2, environment: ["OVERLOAD_WAIT_MS": "10000", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { process, client, stub in
            let descriptors = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? 0 }
            let slow = Array(#"{"userId":"slow"}"#.utf8)
            let call = { @Sendable in
                try await onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
            }
            async let first = call()
            async let second = call()
            while stub.requests.count < 2 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let busy = descriptors()
            async let third = call()
            async let fourth = call()
            // The two are waiting once the service has accepted their connections.
            while descriptors() < busy + 2 {
                try await Task.sleep(for: .milliseconds(5))
            }
            process.signal(SIGTERM)
            let statuses = try await [first.status, second.status, third.status, fourth.status]
            #expect(statuses == [200, 200, 200, 200])
            #expect(try await process.waitForExit() == 0)
        }
    }

    @Test("OVERLOAD_WAIT_MS is checked at startup")
    func badSetting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try ServiceProcess(
            arguments: ["check-config"],
            environment: ["SHARED_SECRET": ServeTests.secret, "EXTERNAL_API_URL": "http://127.0.0.1:1/users", "OVERLOAD_WAIT_MS": "-5"],
            workingDirectory: directory.path
        )
        #expect(try await process.waitForExit() == 78)
        #expect(process.standardError.contains("OVERLOAD_WAIT_MS must be a whole number from 0 to 60000, not '-5'"))
    }
}
