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
    /// The response in CGI form: a `Status:` line, the headers, a blank line, the body.
    ///
    /// Carriage returns and line feeds are removed from header names and values so that no
    /// responder can split the header block.
    public var cgiBytes: [UInt8] {
        var head = "Status: \(self.status) \(HTTPReasonPhrase.phrase(for: self.status))\r\n"
        for header in self.headers {
            head += "\(header.name.withoutLineBreaks): \(header.value.withoutLineBreaks)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: self.body)
        return bytes
    }
}

extension String {
    fileprivate var withoutLineBreaks: String {
        // By scalar: "\r\n" is one Character, so a Character filter would let it through.
        String(String.UnicodeScalarView(self.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
    }
}
