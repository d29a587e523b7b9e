/// The records of one request, checked before libfcgi reads any of them.
///
/// libfcgi 2.4 trusts the stream it reads. A parameter whose length is near 2³¹ overflows
/// the size it allocates, and its `Malloc` assertion aborts the whole process; a management
/// record of an unknown type leaks 48 bytes each time. FuzzFastCGIStream found both in its
/// first minute. nginx never sends either, but anything that can connect to the socket could,
/// so a worker lets libfcgi read a request only once the whole of it is in the socket and has
/// the shape a web server sends:
///
/// - `BEGIN_REQUEST` for the responder role, with a request id other than 0;
/// - `PARAMS` records for that id, ending with an empty one, whose name-value pairs fit inside
///   them, at most ``maxParameterBytes`` in all;
/// - `STDIN` records for that id, ending with an empty one, or until more than the body limit
///   arrived (the body reader stops there), or none when `CONTENT_LENGTH` is over the limit
///   (the body is not read at all);
/// - nothing else before that end: no management records, aborts, other ids or versions.
///
/// What follows the request's end is not looked at: libfcgi stops reading there.
struct RequestStreamCheck {
    /// The most parameter bytes a request may carry: nginx sends about 1 KiB of
    /// `fastcgi_params` plus the request's headers, which its default
    /// `large_client_header_buffers` (4 × 8 KiB) keeps far below this.
    static let maxParameterBytes = 65_536

    /// The server's body limit: the body reader stops one byte past it.
    let maxBodyBytes: Int

    /// The most bytes a request may take on the wire before its end: parameters and body with
    /// their record headers and padding, counted generously (each record may pad 255 bytes).
    var maxRequestBytes: Int {
        2 * Self.maxParameterBytes + 2 * (self.maxBodyBytes + 1) + 4096
    }

    /// What the bytes seen so far say.
    enum Verdict: Equatable {
        /// The request is all there and well formed: libfcgi may read it.
        case complete
        /// Well formed so far; the rest has not arrived.
        case incomplete
        /// Not what a web server sends; the connection is closed unanswered.
        case refused(reason: String)
    }

    private enum RecordType: UInt8 {
        case beginRequest = 1
        case parameters = 4
        case standardInput = 5
    }

    private static let responderRole = 1

    /// Checks the bytes at the start of a connection's unread data.
    func inspect(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        var reader = RecordReader(bytes: bytes)
        guard let begin = reader.next() else { return reader.verdict }
        guard begin.type == RecordType.beginRequest.rawValue, begin.requestId != 0, begin.content.count == 8 else {
            return .refused(reason: "the connection does not start with BEGIN_REQUEST")
        }
        guard Int(begin.content[0]) << 8 | Int(begin.content[1]) == Self.responderRole else {
            return .refused(reason: "a role other than responder")
        }

        // nginx sends the parameters in one record: they are read where they lie, and copied
        // together only when they come in several.
        var parameters = UnsafeRawBufferPointer(start: nil, count: 0)
        var joined: [UInt8]?
        var parameterBytes = 0
        while true {
            guard let record = reader.next() else { return reader.verdict }
            guard record.type == RecordType.parameters.rawValue, record.requestId == begin.requestId else {
                return .refused(reason: "record type \(record.type) for request \(record.requestId) among the parameters")
            }
            if record.content.isEmpty { break }
            parameterBytes += record.content.count
            guard parameterBytes <= Self.maxParameterBytes else {
                return .refused(reason: "parameters over \(Self.maxParameterBytes) bytes")
            }
            if parameters.baseAddress == nil && joined == nil {
                parameters = record.content
            } else {
                joined = (joined ?? Array(parameters)) + Array(record.content)
            }
            guard reader.offset <= self.maxRequestBytes else { return .refused(reason: "too many parameter records") }
        }
        let declaredLength: Int?
        let found = joined.map { $0.withUnsafeBytes { Self.contentLength(inParameters: $0) } } ?? Self.contentLength(inParameters: parameters)
        switch found {
        case .failure(let error): return .refused(reason: error.reason)
        case .success(let length): declaredLength = length
        }
        if let declaredLength, declaredLength > self.maxBodyBytes {
            return .complete
        }

        var bodyBytes = 0
        while bodyBytes <= self.maxBodyBytes {
            guard let record = reader.next() else { return reader.verdict }
            guard record.type == RecordType.standardInput.rawValue, record.requestId == begin.requestId else {
                return .refused(reason: "record type \(record.type) for request \(record.requestId) in the body")
            }
            if record.content.isEmpty { return .complete }
            bodyBytes += record.content.count
            guard reader.offset <= self.maxRequestBytes else { return .refused(reason: "too many body records") }
        }
        return .complete
    }

    /// Walks the name-value pairs of a parameter stream; the `CONTENT_LENGTH` value when there
    /// is one, or why the stream is malformed (a length running past the stream's end).
    private static func contentLength(inParameters bytes: UnsafeRawBufferPointer) -> Result<Int?, ParameterError> {
        var offset = 0
        var contentLength: Int?
        func length() -> Int? {
            guard offset < bytes.count else { return nil }
            if bytes[offset] & 0x80 == 0 {
                offset += 1
                return Int(bytes[offset - 1])
            }
            guard offset + 4 <= bytes.count else { return nil }
            let value =
                Int(bytes[offset] & 0x7F) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 4
            return value
        }
        while offset < bytes.count {
            guard let nameLength = length(), let valueLength = length(),
                nameLength <= bytes.count - offset, valueLength <= bytes.count - offset - nameLength
            else {
                return .failure(ParameterError(reason: "a parameter length runs past the parameters"))
            }
            let name = bytes[offset..<(offset + nameLength)]
            offset += nameLength
            if name.elementsEqual("CONTENT_LENGTH".utf8) {
                contentLength = Int(String(decoding: bytes[offset..<(offset + valueLength)], as: UTF8.self))
            }
            offset += valueLength
        }
        return .success(contentLength)
    }

    private struct ParameterError: Error {
        let reason: String
    }
}

/// Reads FastCGI records one at a time from the bytes seen so far.
private struct RecordReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    /// Why ``next()`` returned nil.
    private(set) var verdict = RequestStreamCheck.Verdict.incomplete

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    struct Record {
        let type: UInt8
        let requestId: Int
        let content: UnsafeRawBufferPointer
    }

    /// The next whole record, or nil when it has not all arrived or is not version 1.
    mutating func next() -> Record? {
        guard self.bytes.count - self.offset >= 8 else { return nil }
        let header = UnsafeRawBufferPointer(rebasing: self.bytes[self.offset..<(self.offset + 8)])
        guard header[0] == 1 else {
            self.verdict = .refused(reason: "record version \(header[0])")
            return nil
        }
        let contentLength = Int(header[4]) << 8 | Int(header[5])
        let end = self.offset + 8 + contentLength + Int(header[6])
        guard end <= self.bytes.count else { return nil }
        let content = UnsafeRawBufferPointer(rebasing: self.bytes[(self.offset + 8)..<(self.offset + 8 + contentLength)])
        self.offset = end
        return Record(type: header[1], requestId: Int(header[2]) << 8 | Int(header[3]), content: content)
    }
}
