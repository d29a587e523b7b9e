import FastCGI
import Foundation
import Logging
import Synchronization
import TestSupport

/// Answers with what it received, so tests can see what the server handed over.
struct EchoResponder: FastCGIResponder {
    /// Requests the responder saw.
    let seen = SeenRequests()
    /// How long to wait before answering.
    var delay: Duration = .zero

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        self.seen.record(request)
        if self.delay > .zero {
            Thread.sleep(forTimeInterval: Double(self.delay.components.seconds) + Double(self.delay.components.attoseconds) / 1e18)
        }
        var text = "method=\(request.method)\npath=\(request.path)\n"
        for (name, value) in request.parameters.all.sorted(by: { $0.name < $1.name }) where name.hasPrefix("HTTP_") {
            text += "\(name)=\(value)\n"
        }
        switch request.body {
        case .complete(let bytes): text += "body=\(bytes.count):\(String(decoding: bytes.prefix(64), as: UTF8.self))\n"
        case .tooLarge: text += "body=too-large\n"
        }
        return FastCGIResponse(
            status: request.body == .tooLarge ? 413 : 200,
            headers: [.init(name: "Content-Type", value: "text/plain"), .init(name: "X-Injected", value: "a\r\nSet-Cookie: evil=1")],
            body: Array(text.utf8)
        )
    }
}

/// Answers `/large` with 4 MiB of "a" (more than any socket's send buffer) and anything else
/// with "ok".
struct LargeAnswerResponder: FastCGIResponder {
    static let largeSize = 4 << 20

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        let body = request.path == "/large" ? [UInt8](repeating: UInt8(ascii: "a"), count: Self.largeSize) : Array("ok".utf8)
        return FastCGIResponse(status: 200, headers: [.init(name: "Content-Type", value: "text/plain")], body: body)
    }
}

/// The requests a responder saw, in order.
final class SeenRequests: Sendable {
    private let requests = Mutex<[FastCGIRequest]>([])
    func record(_ request: FastCGIRequest) { self.requests.withLock { $0.append(request) } }
    var all: [FastCGIRequest] { self.requests.withLock { $0 } }
}

/// A FastCGI server on a fresh unix socket, for one test.
struct ServerHarness: Sendable {
    let server: FastCGIServer
    let client: FastCGITestClient
    let directory: TemporaryDirectory

    static func start(
        responder: some FastCGIResponder,
        workers: Int = 8,
        maxBodyBytes: Int = 1024,
        tcpPort: Int? = nil
    ) throws -> ServerHarness {
        let directory = try TemporaryDirectory()
        let socketPath = directory.file("fcgi.sock")
        let listener =
            try tcpPort.map { try ListeningSocket.tcp(host: "127.0.0.1", port: $0) }
            ?? ListeningSocket.unixSocket(path: socketPath, mode: 0o600)
        let server = try FastCGIServer(
            listeningOn: listener,
            configuration: .init(workers: workers, maxBodyBytes: maxBodyBytes),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        server.start(responder: responder)
        let client = tcpPort.map { FastCGITestClient(tcpPort: $0) } ?? FastCGITestClient(socketPath: socketPath)
        return ServerHarness(server: server, client: client, directory: directory)
    }

    /// Shuts the server down and removes its directory.
    @discardableResult
    func stop(gracePeriod: Duration = .seconds(5)) -> Bool {
        defer { self.directory.remove() }
        return self.server.shutdown(gracePeriod: gracePeriod)
    }

    /// Sends a POST on a thread of its own.
    func post(_ path: String = "/echo", headers: [String: String] = [:], body: [UInt8]) async throws -> FastCGITestClient.Answer {
        let client = self.client
        return try await onThread { try client.post(path, headers: headers, body: body) }
    }
}

/// Answers with the id of the thread that served the call; while `held` is set, each call
/// waits for ``release()`` first, so a test can hold every worker at once.
final class ThreadRecordingResponder: FastCGIResponder, Sendable {
    private let threads = Mutex<[String]>([])
    private let held = Mutex(true)
    private let gate = DispatchSemaphore(value: 0)

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        let thread = Self.currentThreadID()
        let hold = self.held.withLock { $0 }
        self.threads.withLock { $0.append(thread) }
        if hold { self.gate.wait() }
        return FastCGIResponse(status: 200, headers: [], body: Array(thread.utf8))
    }

    /// The threads that served calls so far, in order.
    var served: [String] { self.threads.withLock { $0 } }

    /// Lets the held calls go, and every later call answer at once.
    func release(_ count: Int) {
        self.held.withLock { $0 = false }
        for _ in 0..<count { self.gate.signal() }
    }

    /// The kernel's id of the calling thread, as /proc/thread-self names it ("PID/task/TID").
    static func currentThreadID() -> String {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? "?"
        return String(link.split(separator: "/").last ?? "?")
    }

    /// Whether the thread sleeps (state S in /proc/self/task/TID/stat).
    static func isSleeping(_ thread: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        return stat[end...].dropFirst(2).first == "S"
    }
}
