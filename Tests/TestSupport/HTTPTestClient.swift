import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a plain socket that can choose its source address, so a test
/// can call nginx from inside and from outside an allowlist (127.0.0.1 and 127.0.0.2).
public struct HTTPTestClient: Sendable {
    /// The server's IPv4 address and port.
    public let host: String
    public let port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// One answer: the same shape as a FastCGI answer.
    public typealias Answer = FastCGITestClient.Answer

    /// How long a read or a write may wait.
    static let timeout = Duration.seconds(30)

    /// Sends one request with `Connection: close` and reads the whole answer.
    public func send(
        _ method: String,
        _ path: String,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        from sourceAddress: String = "127.0.0.1"
    ) throws -> Answer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ProcessFailure(description: "socket: \(errno)") }
        defer { close(descriptor) }
        var source = Self.address(sourceAddress, port: 0)
        var destination = Self.address(self.host, port: self.port)
        let bound = withUnsafePointer(to: &source) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ProcessFailure(description: "bind \(sourceAddress): \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProcessFailure(description: "connect: \(String(cString: strerror(errno)))") }
        // No read or write waits forever: a server that never answers fails the test, saying so.
        var limit = timeval(tv_sec: Int(Self.timeout.components.seconds), tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            guard setsockopt(descriptor, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw ProcessFailure(description: "setsockopt: \(String(cString: strerror(errno)))")
            }
        }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(self.host)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // nginx may answer (413, 403) and close before reading a large body: read what it said.
            if written <= 0 { break }
            offset += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw ProcessFailure(
                    description:
                        "\(method) \(path): no end of the answer within \(Self.timeout); read so far: \(String(decoding: response.prefix(500), as: UTF8.self))"
                )
            }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return try Self.parse(response)
    }

    static func address(_ text: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }

    static func parse(_ response: [UInt8]) throws -> Answer {
        let block = try HeaderBlock(response)
        let status = Int(block.firstLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        let chunked = block.headers["transfer-encoding"]?.lowercased() == "chunked"
        return Answer(status: status, headers: block.headers, body: chunked ? Self.dechunk(block.body) : block.body)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\r")),
            let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16), size > 0
        {
            let start = lineEnd + 2
            output += bytes[start..<min(start + size, bytes.count)]
            index = start + size + 2
            if index >= bytes.count { break }
        }
        return output
    }
}
