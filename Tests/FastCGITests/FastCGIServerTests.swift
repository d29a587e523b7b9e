import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FastCGI

#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI server over a real unix socket, spoken to with the FastCGI wire protocol.
@Suite("FastCGI server", .timeLimit(.minutes(3)))
struct FastCGIServerTests {
    @Test("every parameter reaches the responder as a Swift string, long and non-ASCII ones included")
    func parameters() async throws {
        let responder = EchoResponder()
        let harness = try ServerHarness.start(responder: responder)
        defer { harness.stop() }
        let longValue = String(repeating: "v", count: 5000)
        let answer = try await harness.post(
            "/data-action/user-lookup",
            headers: ["X-Long": longValue, "ININ-Correlation-Id": "corr-9", "X-Name": "Zoë 山田"],
            body: Array("hello".utf8)
        )
        #expect(answer.status == 200)
        #expect(answer.text.contains("path=/data-action/user-lookup\n"))
        #expect(answer.text.contains("method=POST\n"))
        #expect(answer.text.contains("HTTP_ININ_CORRELATION_ID=corr-9\n"))
        #expect(answer.text.contains("HTTP_X_NAME=Zoë 山田\n"))
        #expect(answer.text.contains("body=5:hello\n"))
        let request = try #require(responder.seen.all.first)
        #expect(request.parameters["HTTP_X_LONG"] == longValue)
        #expect(request.header("ININ-Correlation-Id") == "corr-9")
        #expect(request.headers["x-name"] == "Zoë 山田")
    }

    @Test("response headers cannot be split by a responder")
    func headerInjection() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder())
        defer { harness.stop() }
        let answer = try await harness.post(body: [])
        #expect(answer.headers["set-cookie"] == nil)
        #expect(answer.headers["x-injected"] == "aSet-Cookie: evil=1")
    }

    @Test("a body exactly at the limit is complete; one byte more is too large")
    func bodyLimit() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), maxBodyBytes: 1024)
        defer { harness.stop() }
        let atLimit = try await harness.post(body: [UInt8](repeating: 65, count: 1024))
        #expect(atLimit.text.contains("body=1024:"))
        let over = try await harness.post(body: [UInt8](repeating: 65, count: 1025))
        #expect(over.status == 413)
        #expect(over.text.contains("body=too-large"))
    }

    /// The stream check waits until a whole request is in the socket, so the largest body the
    /// service allows must fit there with its parameters (a unix socket holds about 200 KiB).
    @Test("a body at the largest limit the service allows (128 KiB) is answered")
    func largestBodyLimit() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), maxBodyBytes: 131_072)
        defer { harness.stop() }
        let answer = try await harness.post(body: [UInt8](repeating: 65, count: 131_072))
        #expect(answer.text.contains("body=131072:"))
    }

    @Test("a large body over the limit is answered without being read into memory, declared or not")
    func largeBody() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), maxBodyBytes: 1024)
        defer { harness.stop() }
        let big = [UInt8](repeating: 66, count: 4 << 20)
        let declared = try await harness.post(body: big)
        #expect(declared.status == 413)
        let client = harness.client
        let undeclared = try await onThread {
            try client.send(parameters: ["REQUEST_METHOD": "POST", "DOCUMENT_URI": "/echo"], body: big)
        }
        #expect(undeclared.status == 413)
        // The worker is free again.
        #expect(try await harness.post(body: Array("ok".utf8)).text.contains("body=2:ok"))
    }

    @Test("a web server that hangs up mid-body neither reaches the responder nor wedges a worker")
    func hangUpMidBody() async throws {
        let responder = EchoResponder()
        let harness = try ServerHarness.start(responder: responder, workers: 1)
        defer { harness.stop() }
        let client = harness.client
        let parameters = FastCGITestClient.parameters(method: "POST", path: "/echo", headers: [:], bodyLength: 500)
        for _ in 0..<3 {
            try await onThread { try client.sendAndHangUp(parameters: parameters, bodyPrefix: Array(repeating: 1, count: 100)) }
        }
        // One worker only: it must have come back from each broken request to serve this one.
        let answer = try await harness.post(body: Array("after".utf8))
        #expect(answer.text.contains("body=5:after"))
        #expect(responder.seen.all.count == 1)
    }

    @Test("a connection the web server does not keep is closed once its answer is written, not held open until the web server closes")
    func closedAfterTheAnswer() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), workers: 1)
        defer { harness.stop() }
        let client = harness.client
        let (answer, afterEnd, writeError) = try await onThread {
            let connection = try client.connect()
            defer { close(connection) }
            let parameters = FastCGITestClient.parameters(method: "POST", path: "/echo", headers: [:], bodyLength: 2)
            try FastCGITestClient.writeAll(FastCGITestClient.requestRecords(parameters: parameters, body: Array("hi".utf8)), to: connection)
            let answer = try FastCGITestClient.readAnswer(from: connection)
            var byte: UInt8 = 0
            let afterEnd = read(connection, &byte, 1)
            // Closed, a unix socket refuses what is sent to it; only shut for writing (libfcgi's
            // own way, which then waits for the web server's end), it would take it.
            let sent = withUnsafeBytes(of: UInt8(0)) { send(connection, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
            return (answer, afterEnd, sent < 0 ? errno : 0)
        }
        #expect(answer.text.contains("body=2:hi"))
        #expect(afterEnd == 0)
        #expect(writeError == EPIPE, "errno \(writeError)")
        // The worker is free at once for the next request.
        #expect(try await harness.post(body: Array("next".utf8)).text.contains("body=4:next"))
    }

    @Test("after a 413 the web server may still send the rest of the body: the connection takes it, it is not reset")
    func restOfALargeBodyAfterItsAnswer() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), maxBodyBytes: 1024)
        defer { harness.stop() }
        let client = harness.client
        let (answer, writeError, afterEnd) = try await onThread {
            let connection = try client.connect()
            defer { close(connection) }
            let parameters = FastCGITestClient.parameters(method: "POST", path: "/echo", headers: [:], bodyLength: 4000)
            // Half the body, all of it read by libfcgi at once: nothing is left unread when the
            // answer is written, yet the request has not ended.
            let firstHalf =
                FastCGITestClient.beginRecord() + FastCGITestClient.parameterRecords(parameters)
                + FastCGITestClient.record(type: 5, content: Array(repeating: UInt8(ascii: "x"), count: 2000))
            try FastCGITestClient.writeAll(firstHalf, to: connection)
            let answer = try FastCGITestClient.readAnswer(from: connection)
            let rest = FastCGITestClient.streamRecords(type: 5, content: Array(repeating: UInt8(ascii: "x"), count: 2000))
            let sent = rest.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let writeError = sent < 0 ? errno : 0
            shutdown(connection, Int32(SHUT_WR))
            var byte: UInt8 = 0
            return (answer, writeError, read(connection, &byte, 1))
        }
        #expect(answer.status == 413)
        #expect(writeError == 0, "errno \(writeError)")
        #expect(afterEnd == 0, "the service closes once the web server has sent everything")
    }

    @Test("an answer larger than the socket's send buffer arrives whole")
    func answerLargerThanTheSendBuffer() async throws {
        let harness = try ServerHarness.start(responder: LargeAnswerResponder())
        defer { harness.stop() }
        let answer = try await harness.post("/large", body: [])
        #expect(answer.status == 200)
        #expect(answer.body.count == LargeAnswerResponder.largeSize)
        #expect(answer.body.allSatisfy { $0 == UInt8(ascii: "a") })
    }

    @Test("over TCP (--listen) a request is answered and an answer larger than the send buffer arrives whole")
    func overTCP() async throws {
        // libfcgi takes "host:0" for a socket path, not for an ephemeral port: a port is found first.
        let harness = try ServerHarness.start(responder: LargeAnswerResponder(), tcpPort: try await ClosedPort.find())
        defer { harness.stop() }
        #expect(try await harness.post("/small", body: []).text == "ok")
        let large = try await harness.post("/large", body: [])
        #expect(large.status == 200)
        #expect(large.body.count == LargeAnswerResponder.largeSize)
    }

    /// A unix socket's connection carries no stall limits of its own: an answer that could
    /// fill the send buffer gets the write limit before it is written.
    @Test("a web server that never reads a large answer holds its worker for the stall timeout only")
    func unreadLargeAnswer() async throws {
        let harness = try ServerHarness.start(responder: LargeAnswerResponder(), workers: 1)
        defer { harness.stop() }
        // First in the listening queue, so the one worker takes it first.
        let stalled = try harness.client.connect()
        defer { close(stalled) }
        let large = FastCGITestClient.parameters(method: "POST", path: "/large", headers: [:], bodyLength: 0)
        try FastCGITestClient.writeAll(FastCGITestClient.requestRecords(parameters: large, body: []), to: stalled)
        // The next request is answered once the worker gave up on the reader that never reads.
        let client = harness.client
        let next = try await onThread { () throws -> FastCGITestClient.Answer in
            let connection = try client.connect()
            defer { close(connection) }
            var deadline = timeval(tv_sec: Int(ConnectionAcceptor.stallTimeout.tv_sec) * 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
            let small = FastCGITestClient.parameters(method: "POST", path: "/small", headers: [:], bodyLength: 0)
            try FastCGITestClient.writeAll(FastCGITestClient.requestRecords(parameters: small, body: []), to: connection)
            do {
                return try FastCGITestClient.readAnswer(from: connection)
            } catch {
                throw FastCGITestClient.Failure(description: "no answer within twice the stall timeout while a reader stalled: \(error)")
            }
        }
        #expect(next.status == 200)
        #expect(next.text == "ok")
    }

    @Test("a client that connects and sends nothing does not stop others from being served")
    func silentClient() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), workers: 2)
        defer { harness.stop() }
        let silent = try harness.client.connect()
        defer { close(silent) }
        #expect(try await harness.post(body: Array("x".utf8)).status == 200)
    }

    @Test("100 concurrent requests are all answered, each with its own answer")
    func concurrentRequests() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(delay: .milliseconds(20)), workers: 64)
        defer { harness.stop() }
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<100 {
                group.addTask { (index, try await harness.post(headers: ["X-Index": "\(index)"], body: Array("\(index)".utf8)).text) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 100)
        for (index, text) in answers {
            #expect(text.contains("HTTP_X_INDEX=\(index)\n"))
        }
    }

    @Test(
        "at low load one worker (the one idle last) serves call after call, not each in turn; every worker takes a call when all are needed"
    )
    func idleWorkersAreWokenInOrder() async throws {
        let workers = 4
        let responder = ThreadRecordingResponder()
        let harness = try ServerHarness.start(responder: responder, workers: workers)
        defer { harness.stop() }
        // Hold every worker at once to learn their threads, then let them go.
        async let held = withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<workers { group.addTask { try await harness.post(body: []).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await waitUntil("every worker holding a call", { responder.served.count == workers }, saw: { "\(responder.served)" })
        let threads = Set(responder.served)
        #expect(threads.count == workers)
        responder.release(workers)
        #expect(try await held == Array(repeating: 200, count: workers))
        // One call at a time, each sent once every worker sleeps waiting for a connection.
        var servedBy: [String] = []
        for _ in 0..<12 {
            try await waitUntil(
                "every worker idle",
                { threads.allSatisfy(ThreadRecordingResponder.isSleeping) && harness.server.load.busy == 0 },
                saw: { "busy \(harness.server.load.busy), sleeping \(threads.filter(ThreadRecordingResponder.isSleeping).count) of \(workers)" }
            )
            servedBy.append(try await harness.post(body: []).text)
        }
        #expect(Set(servedBy).count == 1, "served by \(servedBy)")
        #expect(threads.contains(servedBy[0]))
    }

    @Test("a connection put in the waiting room wakes a worker that sleeps waiting for one")
    func waitingRoomWakesAnIdleWorker() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = try ListeningSocket.unixSocket(path: directory.file("fcgi.sock"), mode: 0o600)
        defer { listener.release() }
        let acceptor = try ConnectionAcceptor(listening: listener)
        let worker = Mutex<String?>(nil)
        // The descriptor the worker took, and whether shutdown had to wake it.
        async let taken = onThread { () -> (Int32?, Bool) in
            worker.withLock { $0 = ThreadRecordingResponder.currentThreadID() }
            let connection = acceptor.nextConnection()
            return (connection?.descriptor, acceptor.isStopping)
        }
        try await waitUntil(
            "the worker to sleep waiting for a connection",
            { worker.withLock { $0 }.map(ThreadRecordingResponder.isSleeping) == true },
            saw: { "thread \(worker.withLock { $0 } ?? "not started")" }
        )
        // Nothing arrives on the listening socket: only the room's signal can wake the worker.
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        acceptor.admit(.init(descriptor: pair[0], arrival: .now))
        let woken = Task {
            try await Task.sleep(for: .seconds(10))
            acceptor.stop()
        }
        defer { woken.cancel() }
        let (descriptor, wokenByShutdown) = try await taken
        #expect(descriptor == pair[0])
        #expect(!wokenByShutdown, "the worker stayed asleep for 10 s with a connection in the room")
    }

    @Test("a kept connection serves several requests, and shutdown still ends its idle worker")
    func keptConnection() async throws {
        let harness = try ServerHarness.start(responder: EchoResponder(), workers: 1)
        let client = harness.client
        let texts = try await onThread { () -> [String] in
            let connection = try client.connect()
            defer { close(connection) }
            var texts: [String] = []
            for index in 0..<3 {
                let parameters = FastCGITestClient.parameters(method: "POST", path: "/echo", headers: ["X-N": "\(index)"], bodyLength: 0)
                try FastCGITestClient.writeAll(
                    FastCGITestClient.beginRecord(keepConnection: true) + FastCGITestClient.parameterRecords(parameters)
                        + FastCGITestClient.record(type: 5, content: []),
                    to: connection
                )
                texts.append(try FastCGITestClient.readAnswer(from: connection).text)
            }
            return texts
        }
        #expect(texts.count == 3)
        #expect(texts.last?.contains("HTTP_X_N=2") == true)
        #expect(harness.stop(gracePeriod: .seconds(5)))
    }

    @Test("shutdown lets a request in flight finish, then refuses new connections")
    func drainOnShutdown() async throws {
        let responder = EchoResponder(delay: .milliseconds(500))
        let harness = try ServerHarness.start(responder: responder, workers: 4)
        async let inFlight = harness.post(body: Array("slow".utf8))
        while responder.seen.all.isEmpty {
            try await Task.sleep(for: .milliseconds(5))
        }
        let drained = try await onThread { harness.stop(gracePeriod: .seconds(10)) }
        #expect(drained)
        let answer = try await inFlight
        #expect(answer.status == 200)
        #expect(answer.text.contains("body=4:slow"))
        #expect(throws: FastCGITestClient.Failure.self) { _ = try harness.client.connect() }
    }
}
