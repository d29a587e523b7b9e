import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Raw FastCGI that a broken or hostile peer on the socket could send, against the real
/// binary: it keeps serving, and its file descriptors and threads do not grow.
@Suite("FastCGI protocol abuse", .timeLimit(.minutes(3)))
struct ProtocolAbuseTests {
    static func descriptors(of process: ServiceProcess) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    static func threads(of process: ServiceProcess) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/task").count) ?? -1
    }

    /// Sends raw bytes on a new connection, then hangs up.
    static func sendRaw(_ bytes: [UInt8], client: FastCGITestClient) throws {
        let connection = try client.connect()
        defer { close(connection) }
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    static func lookUp(_ client: FastCGITestClient, userId: String = "1") async throws -> Int {
        try await onThread {
            try client.post("/data-action/user-lookup", headers: ServeTests.lookupHeaders, body: Array(#"{"userId":"\#(userId)"}"#.utf8)).status
        }
    }

    @Test("lying lengths, unknown request ids, aborts, garbage, huge parameters, a body that never ends, 2,000 dropped connections")
    func abuse() async throws {
        try await ServeTests().withService(.socket(workers: 4)) { process, client, stub in
            // Every worker keeps its connection to the upstream alive: four calls held at the
            // upstream together give each of the four its own before the baseline is taken.
            let warmUp = (0..<4).map { _ in Task { try await Self.lookUp(client, userId: UpstreamStub.SpecialUser.held) } }
            try await stub.waitUntilHeld(4)
            stub.openGate()
            var warmed: [Int] = []
            for call in warmUp { warmed.append(try await call.value) }
            #expect(warmed == [200, 200, 200, 200])
            let baseline = (descriptors: Self.descriptors(of: process), threads: Self.threads(of: process))
            let parameters = FastCGITestClient.parameterRecords(
                FastCGITestClient.parameters(method: "POST", path: "/data-action/user-lookup", headers: ServeTests.lookupHeaders, bodyLength: 14)
            )
            let begin = FastCGITestClient.beginRecord()

            // A parameters record that announces 1,000 bytes and carries 10.
            var announced = FastCGITestClient.record(type: 4, content: Array(repeating: 0x41, count: 10))
            announced[4] = 0x03
            announced[5] = 0xE8
            let lying = announced
            try await onThread { try Self.sendRaw(begin + lying, client: client) }
            // Records for a request id that was never begun, then an abort, then garbage.
            try await onThread { try Self.sendRaw(begin + FastCGITestClient.record(type: 4, requestId: 7, content: [1, 1, 65, 66]), client: client) }
            try await onThread { try Self.sendRaw(begin + parameters + FastCGITestClient.record(type: 2, content: []), client: client) }
            try await onThread { try Self.sendRaw((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }, client: client) }
            // Parameters far past any sane size: 4 MiB of them.
            let huge = FastCGITestClient.parameterRecords(["HTTP_X_HUGE": String(repeating: "x", count: 4 << 20)])
            try await onThread { try Self.sendRaw(begin + huge, client: client) }
            // A body that never ends: the connection stays open, silent, while others are served.
            let held = try client.connect()
            let partial = begin + parameters + FastCGITestClient.record(type: 5, content: Array(#"{"user"#.utf8))
            _ = partial.withUnsafeBytes { send(held, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // Thousands of connections opened and dropped at once.
            try await onThread {
                for _ in 0..<2000 {
                    close(try client.connect())
                }
            }
            for _ in 0..<5 {
                #expect(try await Self.lookUp(client) == 200)
            }
            close(held)

            // Back to the baseline (or below: a runtime thread idle since then may have ended)
            // once the server has closed its side of every connection.
            try await waitUntil("descriptors and threads back to \(baseline)") {
                Self.descriptors(of: process) <= baseline.descriptors && Self.threads(of: process) <= baseline.threads
            } saw: {
                "\(Self.descriptors(of: process)) descriptors, \(Self.threads(of: process)) threads"
            }
            #expect(process.isRunning)
            #expect(try await Self.lookUp(client) == 200)
        }
    }

    /// Regression test for FuzzFastCGIStream's finds: Debian's libfcgi aborts the process
    /// (an assertion in its Malloc) on a parameter length near 2³¹, among the parameters or in
    /// a management record during the body, and leaks on unknown management records. Before
    /// the request stream check, the first of these killed the service.
    @Test("records that crash or leak libfcgi are refused before it reads them, and counted; the service keeps serving")
    func libfcgiDefects() async throws {
        try await ServeTests().withService(.socket(workers: 2)) { process, client, _ in
            let begin = FastCGITestClient.beginRecord()
            let overflowingPair: [UInt8] = [0x8D, 0xDD, 0xDD, 0xDD, 0x8D, 0xDD, 0xDD, 0xDD] + Array(repeating: 0x41, count: 200)
            let parameters = FastCGITestClient.parameterRecords(
                FastCGITestClient.parameters(method: "POST", path: "/data-action/user-lookup", headers: ServeTests.lookupHeaders, bodyLength: 14)
            )
            let attacks: [[UInt8]] = [
                begin + FastCGITestClient.record(type: 4, content: overflowingPair),
                begin + parameters + FastCGITestClient.record(type: 9, requestId: 0, content: overflowingPair)
                    + FastCGITestClient.streamRecords(type: 5, content: Array(#"{"userId":"1"}"#.utf8)),
                Array(repeating: FastCGITestClient.record(type: 42, requestId: 0, content: [1]), count: 1000).flatMap { $0 },
            ]
            for attack in attacks {
                let answer = try await onThread { try Self.exchange(attack, client: client) }
                #expect(answer.isEmpty, "the connection is closed unanswered")
                #expect(process.isRunning)
                #expect(try await Self.lookUp(client) == 200)
            }
            try await process.waitForStandardError(containing: "closed a FastCGI connection without reading its request")
            // Each closed unread, once: the management records are refused; the overflowing pair
            // could still go on in a later record, so the hang-up that follows abandons it.
            let metrics = try await ServeTests.scrape(client)
            #expect(metrics.value("fastcgi_stream_check_closes_total", ["reason": "refused"]) == 2)
            #expect(metrics.value("fastcgi_stream_check_closes_total", ["reason": "abandoned"]) == 1)
        }
    }

    /// Sends `bytes` on a new connection, shuts the sending side, and reads until the server closes.
    static func exchange(_ bytes: [UInt8], client: FastCGITestClient) throws -> [UInt8] {
        let connection = try client.connect()
        defer { close(connection) }
        try FastCGITestClient.writeAll(bytes, to: connection)
        shutdown(connection, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return answer }
            answer += buffer[..<count]
        }
    }
}
