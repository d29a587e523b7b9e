import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A small FastCGI client that speaks the wire protocol over a unix socket, as nginx does.
public struct FastCGITestClient: Sendable {
    /// The socket path of the server.
    public let socketPath: String
    /// The server's TCP port on 127.0.0.1, for a server listening there instead.
    public let tcpPort: Int?

    public init(socketPath: String) {
        self.socketPath = socketPath
        self.tcpPort = nil
    }

    public init(tcpPort: Int) {
        self.socketPath = ""
        self.tcpPort = tcpPort
    }

    /// The parsed answer to one request.
    public struct Answer: Sendable {
        /// The status from the `Status:` line (200 when absent, as CGI says).
        public var status: Int
        /// Headers by lower-cased name.
        public var headers: [String: String]
        /// The body bytes.
        public var body: [UInt8]
        /// The body as text.
        public var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// What went wrong talking to the server.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Sends one request and reads the whole answer.
    public func send(parameters: [String: String], body: [UInt8] = []) throws -> Answer {
        let connection = try self.connect()
        defer { close(connection) }
        try Self.writeAll(Self.requestRecords(parameters: parameters, body: body), to: connection)
        return try Self.readAnswer(from: connection)
    }

    /// A POST to `path` with the given headers and body, as nginx would pass it.
    public func post(
        _ path: String,
        headers: [String: String] = [:],
        body: [UInt8]
    ) throws -> Answer {
        try self.send(parameters: Self.parameters(method: "POST", path: path, headers: headers, bodyLength: body.count), body: body)
    }

    /// The parameters nginx's `fastcgi_params` would send.
    public static func parameters(method: String, path: String, headers: [String: String], bodyLength: Int) -> [String: String] {
        var parameters = [
            "REQUEST_METHOD": method,
            "DOCUMENT_URI": path,
            "REQUEST_URI": path,
            "SCRIPT_NAME": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "CONTENT_LENGTH": "\(bodyLength)",
        ]
        for (name, value) in headers {
            let key = name.uppercased().replacingOccurrences(of: "-", with: "_")
            parameters[key == "CONTENT_TYPE" ? key : "HTTP_" + key] = value
        }
        return parameters
    }

    /// Connects and sends the begin record, the parameters and the first `bodyPrefix` bytes of
    /// a body announced as `declaredLength`, then hangs up: a web server going away mid-body.
    public func sendAndHangUp(parameters: [String: String], bodyPrefix: [UInt8]) throws {
        let connection = try self.connect()
        defer { close(connection) }
        var records = Self.beginRecord() + Self.parameterRecords(parameters)
        records += Self.record(type: 5, content: bodyPrefix)
        try Self.writeAll(records, to: connection)
    }

    /// Opens a connection to the server.
    public func connect() throws -> Int32 {
        if let tcpPort {
            return try Self.connect(toLoopbackPort: tcpPort)
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(self.socketPath.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw Failure(description: "connect to \(self.socketPath): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    private static func connect(toLoopbackPort port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = HTTPTestClient.address("127.0.0.1", port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    // MARK: Records

    public static func record(type: UInt8, requestId: UInt16 = 1, content: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [1, type, UInt8(requestId >> 8), UInt8(requestId & 0xFF)]
        bytes += [UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0]
        return bytes + content
    }

    public static func beginRecord(keepConnection: Bool = false) -> [UInt8] {
        Self.record(type: 1, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    public static func parameterRecords(_ parameters: [String: String]) -> [UInt8] {
        var content: [UInt8] = []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            content += Self.length(name.utf8.count) + Self.length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        return Self.streamRecords(type: 4, content: content)
    }

    /// A stream (parameters or body) cut into records of at most 65535 bytes, then the empty
    /// record that ends it.
    public static func streamRecords(type: UInt8, content: [UInt8]) -> [UInt8] {
        var records: [UInt8] = []
        var offset = 0
        while offset < content.count {
            let chunk = Array(content[offset..<min(offset + 65535, content.count)])
            records += Self.record(type: type, content: chunk)
            offset += chunk.count
        }
        return records + Self.record(type: type, content: [])
    }

    public static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(count >> 24 | 0x80), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
    }

    public static func requestRecords(parameters: [String: String], body: [UInt8]) -> [UInt8] {
        Self.beginRecord() + Self.parameterRecords(parameters) + Self.streamRecords(type: 5, content: body)
    }

    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    public static func readExactly(_ count: Int, from descriptor: Int32) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + offset, count - offset) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw Failure(description: "the server closed the connection before the end record") }
            offset += read
        }
        return bytes
    }

    public static func readAnswer(from descriptor: Int32) throws -> Answer {
        var output: [UInt8] = []
        while true {
            let header = try Self.readExactly(8, from: descriptor)
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try Self.readExactly(length + Int(header[6]), from: descriptor)
            switch header[1] {
            case 6: output += content.prefix(length)
            case 3: return try Self.parse(output)
            default: continue
            }
        }
    }

    public static func parse(_ output: [UInt8]) throws -> Answer {
        let block = try HeaderBlock(output)
        let status = block.headers["status"].flatMap { Int($0.prefix(3)) } ?? 200
        return Answer(status: status, headers: block.headers, body: block.body)
    }
}
