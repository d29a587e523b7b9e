/// A strict RFC 8259 JSON parser over UTF-8 bytes, producing ``JSONValue``.
///
/// It replaces Foundation's `JSONDecoder` and `Codable` on the request path (bench/RESULTS.md,
/// "Measurements behind the code"). It reads the bytes once, validates UTF-8 inside strings as it goes (outside strings only ASCII
/// is valid JSON), and stops at ``maximumDepth`` nested containers so hostile input cannot
/// exhaust the stack.
struct JSONParser: ~Copyable {
    /// The deepest nesting of arrays and objects accepted (Foundation's limit too).
    static let maximumDepth = 512

    /// Why parsing stopped; the caller tells invalid UTF-8 apart from invalid JSON.
    struct Failure: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON text: a value with optional whitespace around it and nothing else.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw Failure() }
        return value
    }

    /// Parses one JSON text, building only what `selection` reads: every other value is
    /// checked as strictly and stepped over, and an array keeps a `null` in place of each
    /// element stepped over, so indexes and lengths stay true.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, selecting selection: JSONSelection) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value(selecting: selection)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw Failure() }
        return value
    }

    // MARK: Values

    private mutating func value() throws(Failure) -> JSONValue {
        self.skipWhitespace()
        guard let byte = self.peek() else { throw Failure() }
        switch byte {
        case UInt8(ascii: "{"): return try self.object()
        case UInt8(ascii: "["): return try self.array()
        case UInt8(ascii: "\""): return .string(try self.string())
        case UInt8(ascii: "t"):
            try self.literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.number()
        default: throw Failure()
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try self.enterContainer()
        defer { self.depth -= 1 }
        self.position += 1  // {
        var members: [String: JSONValue] = [:]
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.position += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: "\"") else { throw Failure() }
            let key = try self.string()
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else { throw Failure() }
            self.position += 1
            members[key] = try self.value()
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.position += 1
            case UInt8(ascii: "}"):
                self.position += 1
                return .object(members)
            default: throw Failure()
            }
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try self.enterContainer()
        defer { self.depth -= 1 }
        self.position += 1  // [
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.position += 1
            return .array(elements)
        }
        while true {
            elements.append(try self.value())
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.position += 1
            case UInt8(ascii: "]"):
                self.position += 1
                return .array(elements)
            default: throw Failure()
            }
        }
    }

    // MARK: Selected values

    private mutating func value(selecting selection: JSONSelection?) throws(Failure) -> JSONValue {
        guard let selection else {
            try self.skipValue()
            return .null
        }
        if selection.isWhole { return try self.value() }
        self.skipWhitespace()
        switch self.peek() {
        case UInt8(ascii: "{"): return try self.object(selecting: selection)
        case UInt8(ascii: "["): return try self.array(selecting: selection)
        // A scalar where a path goes on: read it; the path does not resolve in it.
        default: return try self.value()
        }
    }

    private mutating func object(selecting selection: JSONSelection) throws(Failure) -> JSONValue {
        try self.enterContainer()
        defer { self.depth -= 1 }
        self.position += 1  // {
        // Room for every member read, so the dictionary is made once.
        var members = [String: JSONValue](minimumCapacity: selection.members.count)
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.position += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: "\"") else { throw Failure() }
            // Most keys have no escapes: their bytes are compared with the few names read,
            // and only a key read becomes a String.
            let member: (name: String, selection: JSONSelection)?
            if let key = try self.plainString() {
                member = selection.member(utf8: key)
            } else {
                let key = try self.string()
                member = selection.members[key].map { (key, $0) }
            }
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else { throw Failure() }
            self.position += 1
            if let member {
                members[member.name] = try self.value(selecting: member.selection)
            } else {
                try self.skipValue()
            }
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.position += 1
            case UInt8(ascii: "}"):
                self.position += 1
                return .object(members)
            default: throw Failure()
            }
        }
    }

    private mutating func array(selecting selection: JSONSelection) throws(Failure) -> JSONValue {
        try self.enterContainer()
        defer { self.depth -= 1 }
        self.position += 1  // [
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.position += 1
            return .array(elements)
        }
        while true {
            elements.append(try self.value(selecting: selection.element(elements.count)))
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.position += 1
            case UInt8(ascii: "]"):
                self.position += 1
                return .array(elements)
            default: throw Failure()
            }
        }
    }

    /// Steps over one value, checking it as ``value()`` would, building nothing.
    private mutating func skipValue() throws(Failure) {
        self.skipWhitespace()
        guard let byte = self.peek() else { throw Failure() }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            try self.enterContainer()
            defer { self.depth -= 1 }
            self.position += 1
            self.skipWhitespace()
            if self.peek() == close {
                self.position += 1
                return
            }
            while true {
                if close == UInt8(ascii: "}") {
                    self.skipWhitespace()
                    guard self.peek() == UInt8(ascii: "\"") else { throw Failure() }
                    try self.skipString()
                    self.skipWhitespace()
                    guard self.peek() == UInt8(ascii: ":") else { throw Failure() }
                    self.position += 1
                }
                try self.skipValue()
                self.skipWhitespace()
                switch self.peek() {
                case UInt8(ascii: ","): self.position += 1
                case close?:
                    self.position += 1
                    return
                default: throw Failure()
                }
            }
        case UInt8(ascii: "\""): try self.skipString()
        case UInt8(ascii: "t"): try self.literal("true")
        case UInt8(ascii: "f"): try self.literal("false")
        case UInt8(ascii: "n"): try self.literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.skipNumber()
        default: throw Failure()
        }
    }

    private mutating func enterContainer() throws(Failure) {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else { throw Failure() }
    }

    private mutating func literal(_ text: StaticString) throws(Failure) {
        let count = text.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count else { throw Failure() }
        for offset in 0..<count where self.bytes[self.position + offset] != text.utf8Start[offset] {
            throw Failure()
        }
        self.position += count
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: an integer when it has neither
    /// fraction nor exponent and fits 64 bits, otherwise a double.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = self.position
        let isInteger = try self.numberGrammar().isInteger
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
        if isInteger, let integer = Int64(text) {
            return .integer(integer)
        }
        guard let number = Double(text), number.isFinite else { throw Failure() }
        return .number(number)
    }

    /// Steps over a number, checking it as ``number()`` does, building nothing: one without an
    /// exponent and shorter than the largest double's 309 digits is always finite; only another
    /// is converted to be sure.
    private mutating func skipNumber() throws(Failure) {
        let start = self.position
        if try !self.numberGrammar().hasExponent && self.position - start < 300 {
            return
        }
        self.position = start
        _ = try self.number()
    }

    /// Steps over a number's grammar and says what it had.
    private mutating func numberGrammar() throws(Failure) -> (isInteger: Bool, hasExponent: Bool) {
        if self.peek() == UInt8(ascii: "-") { self.position += 1 }
        guard let first = self.peek(), Self.isDigit(first) else { throw Failure() }
        self.position += 1
        if first != UInt8(ascii: "0") { self.skipDigits() }
        var isInteger = true
        if self.peek() == UInt8(ascii: ".") {
            isInteger = false
            self.position += 1
            guard let digit = self.peek(), Self.isDigit(digit) else { throw Failure() }
            self.skipDigits()
        }
        if let exponent = self.peek(), exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            isInteger = false
            self.position += 1
            if let sign = self.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { self.position += 1 }
            guard let digit = self.peek(), Self.isDigit(digit) else { throw Failure() }
            self.skipDigits()
            return (false, true)
        }
        return (isInteger, false)
    }

    private mutating func skipDigits() {
        while let byte = self.peek(), Self.isDigit(byte) { self.position += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Strings

    /// A string literal, the opening quote at the current position.
    private mutating func string() throws(Failure) -> String {
        self.position += 1  // "
        let start = self.position
        // The common case: no escapes; the bytes between the quotes are the string.
        while true {
            self.skipPlainBytes()
            guard let byte = self.peek() else { break }
            switch byte {
            case UInt8(ascii: "\""):
                let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
                self.position += 1
                return text
            case UInt8(ascii: "\\"):
                return try self.escapedString(from: start)
            case 0x00..<0x20:
                throw Failure()
            case 0x80...:
                try self.skipUTF8Sequence()
            default:
                self.position += 1
            }
        }
        throw Failure()
    }

    /// The bytes of a string literal without escapes, the opening quote at the current
    /// position, checked as ``string()`` checks them, the position then past it; nil, the
    /// position unchanged, when it has an escape.
    private mutating func plainString() throws(Failure) -> UnsafeBufferPointer<UInt8>? {
        let quote = self.position
        self.position += 1
        while true {
            self.skipPlainBytes()
            guard let byte = self.peek() else { break }
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                return UnsafeBufferPointer(rebasing: self.bytes[(quote + 1)..<(self.position - 1)])
            case UInt8(ascii: "\\"):
                self.position = quote
                return nil
            case 0x00..<0x20:
                throw Failure()
            case 0x80...:
                try self.skipUTF8Sequence()
            default:
                self.position += 1
            }
        }
        throw Failure()
    }

    /// Steps over a string literal, the opening quote at the current position, checking its
    /// escapes and UTF-8 as ``string()`` does.
    private mutating func skipString() throws(Failure) {
        self.position += 1  // "
        while true {
            self.skipPlainBytes()
            guard let byte = self.peek() else { break }
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                return
            case UInt8(ascii: "\\"):
                self.position += 1
                guard let escaped = self.peek() else { throw Failure() }
                self.position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"): _ = try self.unicodeEscape()
                default: throw Failure()
                }
            case 0x00..<0x20:
                throw Failure()
            case 0x80...:
                try self.skipUTF8Sequence()
            default:
                self.position += 1
            }
        }
        throw Failure()
    }

    /// The rest of a string that has escapes, from its first byte at `start`.
    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var decoded = Array(UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]))
        while let byte = self.peek() {
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                self.position += 1
                guard let escaped = self.peek() else { throw Failure() }
                self.position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"): decoded.append(contentsOf: try self.unicodeEscape())
                default: throw Failure()
                }
            case 0x00..<0x20:
                throw Failure()
            case 0x80...:
                let sequenceStart = self.position
                try self.skipUTF8Sequence()
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: self.bytes[sequenceStart..<self.position]))
            default:
                decoded.append(byte)
                self.position += 1
            }
        }
        throw Failure()
    }

    /// The UTF-8 of a `\uXXXX` escape (the `\u` read), joining a surrogate pair; a lone
    /// surrogate is refused.
    private mutating func unicodeEscape() throws(Failure) -> [UInt8] {
        var scalar = try self.hexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard self.bytes.count - self.position >= 6, self.bytes[self.position] == UInt8(ascii: "\\"),
                self.bytes[self.position + 1] == UInt8(ascii: "u")
            else { throw Failure() }
            self.position += 2
            let low = try self.hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw Failure() }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw Failure()
        }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { throw Failure() }
        return Array(String(Character(unicodeScalar)).utf8)
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard self.bytes.count - self.position >= 4 else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
            self.position += 1
        }
        return value
    }

    /// Steps over one well-formed multi-byte UTF-8 sequence (no overlongs, no surrogates,
    /// nothing above U+10FFFF), as Unicode's table 3-7 defines.
    private mutating func skipUTF8Sequence() throws(Failure) {
        let lead = self.bytes[self.position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw Failure()
        }
        guard self.bytes.count - self.position >= length, secondRange.contains(self.bytes[self.position + 1]) else { throw Failure() }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(self.bytes[self.position + offset]) {
            throw Failure()
        }
        self.position += length
    }

    // MARK: Whitespace

    /// Steps over the bytes inside a string literal that need no look of their own (printable
    /// ASCII other than the quote and the backslash), in one tight loop.
    private mutating func skipPlainBytes() {
        var position = self.position
        // Eight bytes at a time while none of them needs a look (SWAR: a byte's top bit is set
        // in `stop` when it is a control, non-ASCII, a quote or a backslash).
        if let base = self.bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while position + 8 <= self.bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                let stop = Self.hasControlOrNonASCII(word) | Self.hasByte(UInt8(ascii: "\""), in: word) | Self.hasByte(UInt8(ascii: "\\"), in: word)
                if stop != 0 { break }
                position += 8
            }
        }
        while position < self.bytes.count {
            let byte = self.bytes[position]
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            position += 1
        }
        self.position = position
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero when a byte of `word` is below 0x20 or at 0x80 and above.
    private static func hasControlOrNonASCII(_ word: UInt64) -> UInt64 {
        ((word &- Self.ones &* 0x20) | word) & Self.highs
    }

    /// Nonzero when a byte of `word` is `byte` (any word with such a byte sets a top bit).
    private static func hasByte(_ byte: UInt8, in word: UInt64) -> UInt64 {
        let matched = word ^ (Self.ones &* UInt64(byte))
        return (matched &- Self.ones) & ~matched & Self.highs
    }

    private func peek() -> UInt8? {
        self.position < self.bytes.count ? self.bytes[self.position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
        {
            self.position += 1
        }
    }
}
