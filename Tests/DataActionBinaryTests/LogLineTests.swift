import Foundation
import TestSupport
import Testing

/// The request log line is logfmt: whatever a caller sends or an upstream does, a reader finds
/// the same fields, each once, with the value the service gave it.
@Suite("Log lines", .timeLimit(.minutes(2)))
struct LogLineTests {
    /// The request lines the service wrote so far, each as logfmt pairs.
    static func requestLines(_ process: ServiceProcess) -> [[(key: String, value: String)]] {
        process.standardError.split(separator: "\n").map { logfmtPairs(String($0)) }.filter { $0.last?.key == "request" }
    }

    @Test("a forged correlation id stays one value: no field added or changed; a detail with spaces reads whole")
    func forgedFieldsStayValues() async throws {
        try await ServeTests().withService(.socket(workers: 2)) { process, client, _ in
            let forged = #"fake outcome=found status=200 action=admin "quoted" back\slash"#
            let refused = try await onThread {
                try client.post("/data-action/user-lookup", headers: ["ININ-Correlation-Id": forged], body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(refused.status == 401)
            let headers = ServeTests.lookupHeaders.merging(["ININ-Correlation-Id": "reset-1"]) { $1 }
            let failed = try await onThread {
                try client.post("/data-action/user-lookup", headers: headers, body: Array(#"{"userId":"closed"}"#.utf8))
            }
            #expect(failed.status == 502)
            try await process.waitForStandardError(containing: "reset-1", timeout: .seconds(10))

            let lines = Self.requestLines(process)
            let unauthorized = try #require(lines.first { line in line.contains { $0.key == "correlationId" && $0.value == forged } })
            for key in ["correlationId", "outcome", "status", "action"] {
                #expect(unauthorized.filter { $0.key == key }.count == 1, "\(key) once in \(unauthorized)")
            }
            #expect(unauthorized.first { $0.key == "outcome" }?.value == "unauthorized")
            #expect(unauthorized.first { $0.key == "status" }?.value == "401")
            #expect(unauthorized.first { $0.key == "action" }?.value == "user-lookup")

            let upstreamFailure = try #require(lines.first { line in line.contains { $0.key == "correlationId" && $0.value == "reset-1" } })
            #expect(upstreamFailure.first { $0.key == "outcome" }?.value == "upstream-unreachable")
            #expect(upstreamFailure.first { $0.key == "detail" }?.value == "connection closed by the upstream before it answered")
        }
    }
}
