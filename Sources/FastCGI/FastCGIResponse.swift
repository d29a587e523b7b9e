/// The answer a responder gives: an HTTP status, headers and a body.
public struct FastCGIResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers in the order they are written.
    public var headers: [Header]
    /// The response body.
    public var body: [UInt8]

    /// One response header.
    public struct Header: Sendable, Equatable {
        /// The header name, e.g. `Content-Type`.
        public var name: String
        /// The header value.
        public var value: String

        /// Creates a header.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a response.
    public init(status: Int, headers: [Header] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension FastCGIResponse {
    /// The response in CGI form: a `Status:` line, the headers, `Content-Length` (unless a
    /// header gives it), a blank line, the body.
    public var cgiBytes: [UInt8] {
        self.cgiBytes(answering: "GET")
    }

    /// The response in CGI form for a request with `method`: a HEAD answer has no body but
    /// declares the length its GET answer has.
    ///
    /// With the length given, the web server passes the answer on as it is instead of in chunks.
    /// Carriage returns and line feeds are removed from header names and values so that no
    /// responder can split the header block.
    public func cgiBytes(answering method: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + self.body.count)
        self.appendCGIHead(to: &bytes)
        if Self.carriesBody(answering: method) {
            bytes.append(contentsOf: self.body)
        }
        return bytes
    }

    /// Whether the answer to a request with `method` carries its body: all but HEAD's do.
    static func carriesBody(answering method: String) -> Bool {
        method != "HEAD"
    }

    /// Appends the CGI head of the response (the `Status:` line, the headers with
    /// `Content-Length`, the blank line) to `bytes`: what comes before the body.
    func appendCGIHead(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "Status: ".utf8)
        // A status has three digits; anything else is written as it is.
        if (100...999).contains(self.status) {
            bytes.append(UInt8(ascii: "0") + UInt8(self.status / 100))
            bytes.append(UInt8(ascii: "0") + UInt8(self.status / 10 % 10))
            bytes.append(UInt8(ascii: "0") + UInt8(self.status % 10))
        } else {
            bytes.append(contentsOf: String(self.status).utf8)
        }
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: HTTPReasonPhrase.phrase(for: self.status).utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        for header in self.headers {
            Self.appendWithoutLineBreaks(header.name, to: &bytes)
            bytes.append(contentsOf: ": ".utf8)
            Self.appendWithoutLineBreaks(header.value, to: &bytes)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if !self.headers.contains(where: { Self.isContentLength($0.name) }) {
            bytes.append(contentsOf: "Content-Length: ".utf8)
            bytes.append(contentsOf: String(self.body.count).utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
    }

    private static func isContentLength(_ name: String) -> Bool {
        name.utf8.count == 14 && name.lowercased() == "content-length"
    }

    /// Appends the UTF-8 of `text` without its CR and LF bytes (which never occur inside a
    /// multi-byte UTF-8 sequence, so dropping them leaves the rest valid).
    private static func appendWithoutLineBreaks(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 where byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
    }
}
