import Foundation
import TestSupport
import Testing

/// More slow calls than workers: the ones no worker takes within OVERLOAD_WAIT_MS are answered
/// 503 with Retry-After instead of waiting out the caller's timeout.
@Suite("Overload")
struct OverloadTests {
    @Test("with every worker busy, a new call gets 503 and Retry-After; the busy ones still finish; then calls are served again")
    func busyWorkers() async throws {
        try await ServeTests().withService(
            .socket(workers: 2, environment: ["OVERLOAD_WAIT_MS": "100", "UPSTREAM_TIMEOUT_MS": "30000"])
        ) { process, client, stub in
            let slow = Array(#"{"userId":"slow"}"#.utf8)
            async let first = onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
            async let second = onThread { try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: slow) }
            // Both workers are busy once both lookups have reached the directory.
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
            #expect(stub.requests.count == 2, "the refused call never reached the directory")

            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            let afterwards = try await onThread {
                try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(afterwards.status == 200)
            let log = process.standardError
            #expect(log.contains("every worker is busy: answering new requests 503 until one is free"))
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
