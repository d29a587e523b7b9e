// libFuzzer target: the bytes a web server (or anything that reaches the socket) writes on a
// FastCGI connection, through libfcgi and the server's parameter and body handling, to the
// responder and back.
//
// One real FastCGIServer (one worker, a 4 KiB body limit) listens on a unix socket in this
// process. Each input is written on a new connection as it is, records that lie about their
// lengths, unknown types and request ids, aborts and all; then the write side is shut and the
// answer read to the end. The seed corpus in fuzz/corpus/fastcgi-stream holds well-formed
// requests as nginx sends them, a keep-alive pair, a management record and an abort.
//
// Properties checked on every input, besides never crashing or touching memory it must not
// (AddressSanitizer covers the Swift side and the libc calls libfcgi makes):
// - the server answers or closes the connection: it never leaves one hanging;
// - what it writes back is whole FastCGI records of the types a server may send;
// - every response is a Status line, the one header the responder set (its value with line
//   breaks removed, even when the request put some there) and a body within the limit;
// - the request the responder sees keeps its promises: a kept body is within the limit and at
//   least as long as its declared length, and every HTTP_ parameter is found by its header name.

import LibFuzzerDriver
import Logging

@testable import FastCGI

#if canImport(Glibc)
import Glibc
#endif

enum World {
    static let maxBodyBytes = 4096
    static let socketPath = "/tmp/data-action-fuzz-\(getpid()).sock"

    /// The server, started on first use; it lives as long as the fuzzing process.
    static let server: FastCGIServer = {
        signal(SIGPIPE, SIG_IGN)
        let socket = try! ListeningSocket.unixSocket(path: socketPath, mode: 0o600)
        atexit { unlink(World.socketPath) }
        var logger = Logger(label: "fuzz-fastcgi")
        logger.logLevel = .critical
        let server = try! FastCGIServer(
            listeningOn: socket,
            configuration: .init(workers: 1, maxBodyBytes: maxBodyBytes),
            logger: logger
        )
        server.start(responder: CheckingResponder())
        return server
    }()
}

/// Checks the request the server built, then echoes one parameter as a header and the body.
struct CheckingResponder: FastCGIResponder {
    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        Self.response(to: request)
    }

    static func response(to request: FastCGIRequest) -> FastCGIResponse {
        _ = request.method
        _ = request.path
        // Content-Type and Content-Length are CONTENT_TYPE and CONTENT_LENGTH in CGI, whatever
        // HTTP_ copies a web server adds.
        let ownParameters: Set = ["HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"]
        // A name sent twice means its last value, as with a dictionary.
        let parameters = Dictionary(request.parameters.all.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        for (name, value) in parameters
        where name.hasPrefix("HTTP_") && name.utf8.count > 5 && !ownParameters.contains(name) {
            let plain = name.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            }
            if plain {
                let header = FastCGIRequest.headerName(forParameter: String(name.dropFirst(5)))
                precondition(request.header(header) == value, "parameter \(name) is not found as header \(header)")
            }
        }
        let body: [UInt8]
        switch request.body {
        case .complete(let bytes):
            precondition(bytes.count <= World.maxBodyBytes, "a kept body over the limit")
            if let declared = request.parameters["CONTENT_LENGTH"].flatMap({ Int($0) }) {
                precondition(bytes.count >= declared, "a body shorter than its declared length was kept")
            }
            body = bytes
        case .tooLarge:
            body = Array("too large".utf8)
        }
        return FastCGIResponse(
            status: 200,
            headers: [.init(name: "X-Echo", value: request.parameters["HTTP_X_ECHO"] ?? "")],
            body: body
        )
    }
}

/// Runs libFuzzer with this target's input test (see LibFuzzerDriver.h for why not its main).
@main
enum FuzzerEntry {
    static func main() {
        var argumentCount = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, size in fuzzFastCGIStream(data, size) })
    }
}

/// Tests one input (also under libFuzzer's name, which its archive's main refers to).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastCGIStream(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let start = UnsafeRawPointer(data)
    _ = World.server
    let output = exchange(Array(UnsafeRawBufferPointer(start: start, count: count)))
    checkRecords(output)
    return 0
}

/// Writes `input` on a new connection, shuts the write side, and reads until the server closes.
func exchange(_ input: [UInt8]) -> [UInt8] {
    let connection = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    precondition(connection >= 0, "socket: \(errno)")
    defer { close(connection) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { path in
        World.socketPath.utf8CString.withUnsafeBytes { path.copyMemory(from: $0) }
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(connection, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    precondition(connected == 0, "connect: \(errno)")
    _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) | O_NONBLOCK)

    var written = 0
    var writing = true
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    if input.isEmpty {
        shutdown(connection, Int32(SHUT_WR))
        writing = false
    }
    while true {
        var events = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        if writing { events.events |= Int16(POLLOUT) }
        let ready = poll(&events, 1, 10_000)
        precondition(ready != 0, "the server neither answered nor closed the connection in 10 s")
        if ready < 0 { continue }
        if writing && events.revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
            let sent = input[written...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { written += sent }
            if sent < 0 && errno != EAGAIN && errno != EINTR {
                writing = false  // the server closed early: it may; what it wrote is still read
            }
            if written == input.count {
                shutdown(connection, Int32(SHUT_WR))
                writing = false
            }
        }
        if events.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
            let read = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if read == 0 || (read < 0 && errno != EAGAIN && errno != EINTR) { return output }
            if read > 0 { output.append(contentsOf: buffer[..<read]) }
        }
    }
}

/// Whole records of the types a FastCGI server sends, and well-formed responses on stdout.
func checkRecords(_ output: [UInt8]) {
    let endRequest: UInt8 = 3
    let standardOutput: UInt8 = 6
    let serverTypes: Set<UInt8> = [endRequest, standardOutput, 7, 10, 11]
    var standardOutputByRequest: [Int: [UInt8]] = [:]
    var offset = 0
    while offset < output.count {
        precondition(output.count - offset >= 8, "a partial record header")
        let header = output[offset..<(offset + 8)].map { $0 }
        precondition(header[0] == 1, "record version \(header[0])")
        precondition(serverTypes.contains(header[1]), "a server sent record type \(header[1])")
        let requestId = Int(header[2]) << 8 | Int(header[3])
        let contentLength = Int(header[4]) << 8 | Int(header[5])
        let end = offset + 8 + contentLength + Int(header[6])
        precondition(end <= output.count, "a partial record")
        let content = output[(offset + 8)..<(offset + 8 + contentLength)]
        if header[1] == standardOutput {
            standardOutputByRequest[requestId, default: []].append(contentsOf: content)
        } else if header[1] == endRequest, let response = standardOutputByRequest.removeValue(forKey: requestId), !response.isEmpty {
            checkResponse(response)
        }
        offset = end
    }
}

/// `Status: 200 OK`, `X-Echo: …` without line breaks, the body's `Content-Length`, a blank
/// line, a body within the limit.
func checkResponse(_ response: [UInt8]) {
    let carriageReturn = UInt8(ascii: "\r")
    let lineFeed = UInt8(ascii: "\n")
    let blankLine = [carriageReturn, lineFeed, carriageReturn, lineFeed]
    guard let headerEnd = response.indices.first(where: { response[$0...].starts(with: blankLine) }) else {
        preconditionFailure("a response without a header block")
    }
    let lines = response[..<headerEnd].split(separator: lineFeed, omittingEmptySubsequences: false).map { line in
        precondition(line.last == carriageReturn || line.endIndex == headerEnd, "a bare line feed in the headers")
        return String(decoding: line.filter { $0 != carriageReturn }, as: UTF8.self)
    }
    precondition(
        response[..<headerEnd].filter { $0 == carriageReturn }.count == lines.count - 1,
        "a carriage return inside a header"
    )
    let bodyLength = response.count - headerEnd - 4
    precondition(
        lines.count == 3 && lines[0] == "Status: 200 OK" && lines[1].hasPrefix("X-Echo:") && lines[2] == "Content-Length: \(bodyLength)",
        "headers: \(lines)"
    )
    precondition(bodyLength <= World.maxBodyBytes, "a body over the limit")
}
