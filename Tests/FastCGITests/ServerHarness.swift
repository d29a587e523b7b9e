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
        overTCP: Bool = false
    ) throws -> ServerHarness {
        let directory = try TemporaryDirectory()
        let socketPath = directory.file("fcgi.sock")
        // libfcgi takes "host:0" for a socket path, not an ephemeral port: a free port is found first.
        let port = overTCP ? try Self.freeLoopbackPort() : nil
        let listener =
            try port.map { try ListeningSocket.tcp(host: "127.0.0.1", port: Int($0)) }
            ?? ListeningSocket.unixSocket(path: socketPath, mode: 0o600)
        let server = try FastCGIServer(
            listeningOn: listener,
            configuration: .init(workers: workers, maxBodyBytes: maxBodyBytes),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        server.start(responder: responder)
        let client = port.map { FastCGITestClient(tcpPort: $0) } ?? FastCGITestClient(socketPath: socketPath)
        return ServerHarness(server: server, client: client, directory: directory)
    }

    /// A loopback port nothing listens on now: the kernel's pick for a socket bound to port 0.
    private static func freeLoopbackPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FastCGITestClient.Failure(description: "socket: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw FastCGITestClient.Failure(description: "bind to 127.0.0.1:0: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
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
