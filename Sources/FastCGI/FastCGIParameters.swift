#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI parameters of one request, as one block of bytes, looked up by name.
///
/// A request carries a few dozen parameters and the service reads a handful: they are copied
/// out of libfcgi in one piece and each is found by a scan when asked for, so a request makes
/// one allocation for all of them and a String only for a value that is read.
public struct FastCGIParameters: Sendable {
    /// Each parameter as its name's length and its value's length (four bytes each, native
    /// order), then its `NAME=value` bytes as libfcgi holds them.
    private var bytes: [UInt8] = []

    /// No parameters.
    public init() {}

    /// The parameters of a dictionary (CGI's environment, tests).
    public init(_ parameters: [String: String]) {
        for (name, value) in parameters {
            Array(name.utf8).withUnsafeBytes { name in
                Array(value.utf8).withUnsafeBytes { value in self.append(name: name, value: value) }
            }
        }
    }

    /// Adds one parameter.
    mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: (UInt32(name.count), UInt32(value.count))) { self.bytes.append(contentsOf: $0) }
        self.bytes.append(contentsOf: name)
        self.bytes.append(UInt8(ascii: "="))
        self.bytes.append(contentsOf: value)
    }

    /// Replaces the parameters with libfcgi's `NAME=value` strings, in one pass that writes
    /// into storage sized beforehand (one copy per parameter; entries without `=` are left out).
    mutating func replace(withEnvironment environment: UnsafePointer<UnsafeMutablePointer<CChar>?>) {
        var total = 0
        var entry = environment
        while let pointer = entry.pointee {
            total += 8 + strlen(pointer)
            entry += 1
        }
        self.bytes.removeAll(keepingCapacity: true)
        self.bytes.reserveCapacity(total)
        entry = environment
        while let pointer = entry.pointee {
            entry += 1
            guard let equals = strchr(pointer, Int32(UInt8(ascii: "="))) else { continue }
            let nameLength = pointer.distance(to: equals)
            let valueLength = strlen(equals + 1)
            withUnsafeBytes(of: (UInt32(nameLength), UInt32(valueLength))) { self.bytes.append(contentsOf: $0) }
            self.bytes.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: nameLength + 1 + valueLength))
        }
    }

    /// Empties the block, keeping its memory when nothing else holds it.
    mutating func removeAll() {
        self.bytes.removeAll(keepingCapacity: true)
    }

    /// The value of the parameter `name`, or nil when the web server did not send it.
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            self.lastValue { candidate in
                candidate.count == wanted.count && (wanted.isEmpty || memcmp(candidate.baseAddress!, wanted.baseAddress!, wanted.count) == 0)
            }
        }
    }

    /// The value of an HTTP request header, looked up by its HTTP name (any case), without
    /// turning the name into its parameter name first.
    ///
    /// CGI passes headers as `HTTP_` parameters with dashes turned into underscores, except
    /// `Content-Type` and `Content-Length`, which have their own parameter names.
    public func header(_ name: String) -> String? {
        var found: String?
        self.withHeader(name) { value in
            if let value { found = String(decoding: value, as: UTF8.self) }
        }
        return found
    }

    /// Calls `body` with an HTTP request header's value as bytes (nil when the web server did
    /// not send it), looked up as ``header(_:)`` looks it up, without making a String.
    public func withHeader(_ name: String, _ body: (UnsafeBufferPointer<UInt8>?) -> Void) {
        var name = name
        name.withUTF8 { header in
            let ownName = Self.isContentHeader(header)
            self.withLastValue { candidate in
                let rest: UnsafeRawBufferPointer
                if ownName {
                    rest = candidate
                } else {
                    guard candidate.count == header.count + 5, Self.startsWithHTTPPrefix(candidate) else { return false }
                    rest = UnsafeRawBufferPointer(rebasing: candidate[5...])
                }
                return Self.isParameterName(rest, of: header)
            } _: { value in
                body(value.map { UnsafeBufferPointer(start: $0.baseAddress?.assumingMemoryBound(to: UInt8.self), count: $0.count) })
            }
        }
    }

    /// Every parameter, in the order the web server sent them.
    public var all: [(name: String, value: String)] {
        var all: [(name: String, value: String)] = []
        self.forEachEntry { name, value in
            all.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return all
    }

    /// Whether a parameter name begins with `HTTP_` (compared byte by byte: a generic
    /// `starts(with:)` here was a tenth of the lookup's time).
    private static func startsWithHTTPPrefix(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count >= 5 && name[0] == UInt8(ascii: "H") && name[1] == UInt8(ascii: "T") && name[2] == UInt8(ascii: "T")
            && name[3] == UInt8(ascii: "P") && name[4] == UInt8(ascii: "_")
    }

    /// The two headers CGI passes under their own names instead of as `HTTP_` parameters.
    static let contentHeaderParameters = ["CONTENT_TYPE", "CONTENT_LENGTH"]

    /// `-` → `_`, lower case → upper case: how CGI spells a header name's byte.
    private static func parameterByte(for headerByte: UInt8) -> UInt8 {
        switch headerByte {
        case UInt8(ascii: "-"): UInt8(ascii: "_")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): headerByte - 32
        default: headerByte
        }
    }

    /// Whether `parameter` is how CGI spells the header name `header`.
    private static func isParameterName(_ parameter: UnsafeRawBufferPointer, of header: UnsafeBufferPointer<UInt8>) -> Bool {
        guard parameter.count == header.count else { return false }
        for index in 0..<header.count where Self.parameterByte(for: header[index]) != parameter[index] {
            return false
        }
        return true
    }

    /// The same names as bytes, for the header lookup.
    private static let contentHeaderParameterBytes = Self.contentHeaderParameters.map { Array($0.utf8) }

    /// Content-Type and Content-Length, in any case.
    private static func isContentHeader(_ header: UnsafeBufferPointer<UInt8>) -> Bool {
        Self.contentHeaderParameterBytes.contains { own in
            own.withUnsafeBytes { Self.isParameterName($0, of: header) }
        }
    }

    /// The value of the last parameter whose name `matches`: a web server that sends a name
    /// twice (nginx, for a `fastcgi_param` set again after an include) means the later one.
    private func lastValue(where matches: (UnsafeRawBufferPointer) -> Bool) -> String? {
        var found: String?
        self.withLastValue(where: matches) { value in
            if let value { found = String(decoding: value, as: UTF8.self) }
        }
        return found
    }

    /// Calls `body` with ``lastValue(where:)``'s bytes, nil when no name matches.
    private func withLastValue(where matches: (UnsafeRawBufferPointer) -> Bool, _ body: (UnsafeRawBufferPointer?) -> Void) {
        self.bytes.withUnsafeBytes { bytes in
            var found: UnsafeRawBufferPointer?
            Self.forEachEntry(in: bytes) { name, value in
                if matches(name) { found = value }
            }
            body(found)
        }
    }

    /// Calls `body` with each name and value, in order.
    private func forEachEntry(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        self.bytes.withUnsafeBytes { Self.forEachEntry(in: $0, body) }
    }

    /// Calls `body` with each name and value of a block, in order.
    private static func forEachEntry(in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        var offset = 0
        while offset + 8 <= bytes.count {
            let nameLength = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let valueLength = Int(bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let nameStart = offset + 8
            let nameEnd = nameStart + nameLength
            let valueStart = nameEnd + 1
            offset = valueStart + valueLength
            body(UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), UnsafeRawBufferPointer(rebasing: bytes[valueStart..<offset]))
        }
    }
}
