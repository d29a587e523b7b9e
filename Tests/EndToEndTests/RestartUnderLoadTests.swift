import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A restart while Genesys keeps calling: the socket stays open (held here, as systemd holds
/// it), the service is stopped with SIGTERM and started again, and no call is lost.
@Suite("Restart under load", .timeLimit(.minutes(5)))
struct RestartUnderLoadTests {
    final class Tally: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        let stop = Atomic<Bool>(false)
        func record(_ outcome: String) { self.counts.withLock { $0[outcome, default: 0] += 1 } }
        var all: [String: Int] { self.counts.withLock { $0 } }
        var total: Int { self.all.values.reduce(0, +) }
    }

    @Test("stopping and starting the service on a held socket loses no request")
    func restartLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stub = try await UpstreamStub()
        let socket = try HeldSocket(path: directory.file("fcgi.sock"))
        let environment = ["SHARED_SECRET": ThroughNginxTests.secret, "EXTERNAL_API_URL": stub.baseURL]
        func startService() throws -> ServiceProcess {
            try ServiceProcess(
                arguments: ["serve", "--workers", "8"],
                environment: environment,
                inheritedSocket: socket.descriptor,
                workingDirectory: directory.path
            )
        }
        try #"{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"local"}]}"#
            .write(toFile: directory.file("ipranges.json"), atomically: true, encoding: .utf8)
        let allowlist = try ServiceProcess(
            arguments: ["allowlist", "--input", directory.file("ipranges.json"), "--output", directory.file("genesys-allowlist.conf")],
            environment: [:],
            workingDirectory: directory.path
        )
        #expect(try await allowlist.waitForExit() == 0)
        let nginx = try await NginxProcess(directory: directory, socketPath: socket.path, port: try await ClosedPort.find())
        let first = try startService()
        try await first.waitForStandardError(containing: "listening")

        let tally = Tally()
        let client = HTTPTestClient(port: nginx.port)
        let headers = ["Authorization": "Bearer \(ThroughNginxTests.secret)", "Content-Type": "application/json"]
        let callers = (0..<8).map { _ in
            Task {
                try await onThread {
                    while !tally.stop.load(ordering: .relaxed) {
                        do {
                            let answer = try client.send("POST", "/data-action/user-lookup", headers: headers, body: Array(#"{"userId":"1"}"#.utf8))
                            tally.record(answer.status == 200 && answer.text.contains("Leanne Graham") ? "200" : "status \(answer.status)")
                        } catch {
                            tally.record("error")
                        }
                    }
                }
            }
        }
        func waitForMoreAnswers(_ count: Int) async throws {
            let target = tally.total + count
            try await waitUntil("\(target) answers") {
                tally.total >= target
            } saw: {
                "\(tally.total) answers: \(tally.all)"
            }
        }

        try await waitForMoreAnswers(200)
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        let answeredBeforeRestart = tally.total
        let second = try startService()
        try await waitForMoreAnswers(200)
        tally.stop.store(true, ordering: .relaxed)
        for caller in callers { try await caller.value }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        try await nginx.stop()
        try await stub.stop()

        let outcomes = tally.all
        print("restart under load: \(tally.total) calls, \(answeredBeforeRestart) before the restart, outcomes \(outcomes)")
        #expect(outcomes.keys.sorted() == ["200"], "\(outcomes)")
        #expect(tally.total >= 400)
    }
}
