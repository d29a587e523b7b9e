import Foundation
import TestSupport
import Testing

/// More held calls than workers: the ones no worker takes within OVERLOAD_WAIT_MS are answered
/// 503 with Retry-After instead of waiting out the caller's timeout.
@Suite("Overload", .timeLimit(.minutes(2)))
struct OverloadTests {
    static let held = Array(#"{"userId":"held"}"#.utf8)

    static func lookUp(_ client: FastCGITestClient, _ body: [UInt8]) async throws -> FastCGITestClient.Answer {
        try await onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: body) }
    }

    @Test("with every worker busy, a new call gets 503 and Retry-After, counted; the busy ones still finish; then calls are served again")
    func busyWorkers() async throws {
        try await ServeTests().withService(
            .socket(workers: 2, environment: ["OVERLOAD_WAIT_MS": "100", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { process, client, stub in
            async let first = Self.lookUp(client, Self.held)
            async let second = Self.lookUp(client, Self.held)
            // Both workers are busy while both lookups wait at the upstream's gate.
            try await stub.waitUntilHeld(2)
            let refused = try await Self.lookUp(client, Array(#"{"userId":"1"}"#.utf8))
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

            stub.openGate()
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            try await process.waitForStandardError(
                containing: "every worker is busy: answering 503 to requests that wait longer than 0.1 seconds",
                timeout: .seconds(10)
            )
            // A worker has written its answer before it is free again: wait for the guard to see
            // one free, as a caller's next call would have to on a loaded machine.
            try await process.waitForStandardError(containing: "refused=2 [FastCGI] a worker is free again", timeout: .seconds(30))
            let afterwards = try await Self.lookUp(client, Array(#"{"userId":"1"}"#.utf8))
            #expect(afterwards.status == 200)
            #expect(try await ServeTests.scrape(client).value("fastcgi_overload_refusals_total") == 2)
        }
    }

    /// How the callers of ``boundedWait(arrival:)`` arrive.
    enum Arrival: String, CaseIterable, CustomTestStringConvertible {
        case atOnce = "at once"
        case oneByOne = "one after another"
        var testDescription: String { self.rawValue }
    }

    @Test(
        "4 workers held at the upstream, 20 more callers: each is answered 503 while the workers are still held; the 4 then finish with 200",
        arguments: Arrival.allCases
    )
    func boundedWait(arrival: Arrival) async throws {
        try await ServeTests().withService(
            .socket(workers: 4, environment: ["OVERLOAD_WAIT_MS": "200", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { _, client, stub in
            let busy = (0..<4).map { _ in Task { try await Self.lookUp(client, Self.held).status } }
            try await stub.waitUntilHeld(4)
            // The gate stays closed until every refusal is in: none of them waited for a worker.
            var refused: [Int] = []
            switch arrival {
            case .atOnce:
                refused = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<20 { group.addTask { try await Self.lookUp(client, Self.held).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            case .oneByOne:
                for _ in 0..<20 { refused.append(try await Self.lookUp(client, Self.held).status) }
            }
            #expect(refused == Array(repeating: 503, count: 20))
            #expect(stub.requests.count == 4, "a refused call never reaches the upstream")
            stub.openGate()
            var served: [Int] = []
            for call in busy { served.append(try await call.value) }
            #expect(served == [200, 200, 200, 200])
        }
    }

    @Test("SIGTERM while calls wait for a worker: they are served during the grace period, not refused")
    func shutdownServesTheWaiting() async throws {
        try await ServeTests().withService(
            .socket(workers: 2, environment: ["OVERLOAD_WAIT_MS": "30000", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { process, client, stub in
            let descriptors = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? 0 }
            async let first = Self.lookUp(client, Self.held)
            async let second = Self.lookUp(client, Self.held)
            try await stub.waitUntilHeld(2)
            let busy = descriptors()
            async let third = Self.lookUp(client, Self.held)
            async let fourth = Self.lookUp(client, Self.held)
            // The two wait once the overload guard has accepted their connections.
            try await waitUntil("the service to accept two more connections (\(busy) descriptors with two calls held)") {
                descriptors() >= busy + 2
            } saw: {
                "\(descriptors()) descriptors"
            }
            process.signal(SIGTERM)
            try await process.waitForStandardError(containing: "shutting down", timeout: .seconds(30))
            stub.openGate()
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
