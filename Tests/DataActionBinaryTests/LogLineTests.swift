import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

    @Test("gathered lines reach standard error while the service serves, in order, and the last ones before it exits")
    func gatheredLinesAreWritten() async throws {
        try await ServeTests().withService(.socket(workers: 2, environment: ["LOG_GATHER_MS": "1000"])) { process, client, _ in
            for correlationId in ["gathered-1", "gathered-2"] {
                let headers = ServeTests.lookupHeaders.merging(["ININ-Correlation-Id": correlationId]) { $1 }
                let answer = try await onThread {
                    try client.post("/data-action/user-lookup", headers: headers, body: Array(#"{"userId":"1"}"#.utf8))
                }
                #expect(answer.status == 200)
                if correlationId == "gathered-1" {
                    // Written by the gathering thread: the process goes on serving.
                    try await process.waitForStandardError(containing: "correlationId=gathered-1", timeout: .seconds(10))
                }
            }
            // The second line waits in the batch (a second) when the signal comes.
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)
            let written = process.standardError
            let positions = ["correlationId=gathered-1", "correlationId=gathered-2", "received SIGTERM"].map {
                written.range(of: $0)?.lowerBound
            }
            #expect(positions.allSatisfy { $0 != nil }, "every line written before exit: \(written)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "in order: \(written)")
        }
    }

    /// Standard error is a FIFO the test does not read while it sends requests: the kernel's pipe
    /// fills, the gathering thread blocks in its write, and the lines gathered reach the limit.
    @Test("while standard error takes nothing, calls are still answered; lines past the limit are dropped, then counted in a warning")
    func blockedStandardErrorDropsLines() async throws {
        let stub = try await UpstreamStub()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("fcgi.sock")
        let fifoPath = directory.file("stderr")
        #expect(mkfifo(fifoPath, 0o600) == 0)
        // Opened first, without waiting, so the shell's open for writing does not wait either.
        let reader = open(fifoPath, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let process = try ServiceProcess(
            executable: "/bin/sh",
            arguments: ["-c", #"exec "$0" serve --socket "$1" --workers 2 2>"$2""#, ServiceProcess.binaryPath, socketPath, fifoPath],
            environment: ServeTests.environment(stub),
            workingDirectory: directory.path
        )
        defer { process.terminate() }
        var written: [UInt8] = []
        func readAvailable() {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(reader, &buffer, buffer.count)
                guard count > 0 else { return }
                written.append(contentsOf: buffer[..<count])
            }
        }
        try await waitUntil("the service listening", timeout: .seconds(60)) {
            readAvailable()
            return String(decoding: written, as: UTF8.self).contains("listening")
        } saw: {
            String(decoding: written, as: UTF8.self)
        }

        // Each refused call logs a line of about 330 bytes: 4,000 of them are more than the
        // limit (1 MiB) and the pipe (64 KiB) hold.
        let calls = 4000
        let client = FastCGITestClient(socketPath: socketPath)
        let correlationId = String(repeating: "c", count: 120)
        let refused = try await onThread {
            var refused = 0
            for _ in 0..<calls {
                let answer = try client.post(
                    "/data-action/user-lookup",
                    headers: ["ININ-Correlation-Id": correlationId],
                    body: Array(#"{"userId":"1"}"#.utf8)
                )
                if answer.status == 401 { refused += 1 }
            }
            return refused
        }
        #expect(refused == calls)

        // Read again: the lines gathered before the limit arrive, then the warning with the count.
        var logged = 0
        var dropped = 0
        try await waitUntil("every call's line written or counted as dropped", timeout: .seconds(30)) {
            readAvailable()
            let lines = String(decoding: written, as: UTF8.self).split(separator: "\n").map { logfmtPairs(String($0)) }
            logged = lines.filter { $0.contains { $0.key == "correlationId" && $0.value == correlationId } }.count
            dropped = lines.compactMap { $0.first { $0.key == "dropped" }.flatMap { Int($0.value) } }.reduce(0, +)
            return logged + dropped == calls
        } saw: {
            "\(logged) lines, \(dropped) dropped"
        }
        #expect(dropped > 0)
        #expect(String(decoding: written, as: UTF8.self).contains("log lines dropped: standard error took none for too long"))
        try await stub.stop()
    }
}
