import Foundation
import TestSupport
import Testing

/// A short run of `make soak`'s script against the debug binary: mixed traffic through real
/// nginx, every answer checked against the contract, then every log the service and nginx
/// wrote searched for the secrets and request bodies, by this test itself.
@Suite("Soak (short)", .timeLimit(.minutes(5)))
struct SoakTests {
    @Test(
        "20 s of mixed traffic on two actions and upstream faults: every request answered as the contract says, counted in /metrics, no secret or body in any log"
    )
    func shortSoak() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Known to this test, so it can search for them itself.
        let secret = "soak-shared-secret-\(UInt64.random(in: 1...UInt64.max))"
        let credential = "soak-upstream-credential-\(UInt64.random(in: 1...UInt64.max))"
        let canary = "soak-body-canary-\(UInt64.random(in: 1...UInt64.max))"
        let process = try ServiceProcess(
            executable: NginxProcess.repositoryRoot + "/soak/run.sh",
            arguments: [ServiceProcess.binaryPath],
            environment: [
                "SOAK_SECONDS": "20", "SOAK_RATE": "150", "SOAK_CALLERS": "16",
                // A wide margin under the 1 s upstream deadline while other suites load the machine.
                "SLOW_SECONDS": "0.1",
                "SOAK_SHARED_SECRET": secret, "SOAK_UPSTREAM_CREDENTIAL": credential, "SOAK_CANARY": canary,
                "SOAK_REPORT": directory.file("report.json"), "SOAK_LOG_DIR": directory.file("logs"),
            ],
            workingDirectory: directory.path
        )
        #expect(try await process.waitForExit() == 0, "\(process.standardOutput)\n\(process.standardError)")

        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("report.json")))) as? [String: Any]
        )
        let sent = try #require(report["sent"] as? Int)
        let answered = try #require(report["answered"] as? Int)
        let hungUp = try #require(report["hung up on purpose"] as? Int)
        #expect(sent > 1000)
        #expect(answered + hungUp == sent, "every request a caller waited for was answered")
        #expect(report["answered as the contract says"] as? Int == answered)
        let byCase = try #require(report["by case"] as? [String: [String: Int]])
        #expect(byCase.count == 37, "every case of both actions ran: \(byCase.keys.sorted())")
        // The service's own count of what it answered agrees with what the callers got.
        #expect(report["metrics problems"] as? [String] == [])
        #expect(report["request data in /metrics"] as? [String] == [])
        let counted = try #require(report["counted by the service (/metrics)"] as? [String: [String: Int]])
        #expect(Set(counted.keys) == ["user-lookup", "create-ticket"])
        #expect((counted["user-lookup"]?["200"] ?? 0) > 0 && (counted["create-ticket"]?["504"] ?? 0) > 0)

        // Every log, searched here: none holds a secret, the credential or a body; the access
        // log holds the correlation ids, so these are the logs the soak's requests went through.
        let logs = try FileManager.default.contentsOfDirectory(atPath: directory.file("logs")).sorted()
        #expect(logs == ["access.log", "error.log", "service.log"])
        var everything = ""
        for log in logs {
            everything += try String(contentsOfFile: directory.file("logs/\(log)"), encoding: .utf8)
        }
        #expect(everything.contains("correlation=soak-"))
        for needle in [secret, credential, canary] {
            #expect(!everything.contains(needle))
        }
    }
}
