/// A JSON value, as parsed from a request or an upstream answer, or built for a response.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number with no fraction or exponent that fits 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// Why bytes are not the JSON the caller needs.
public enum JSONParseError: Error, Equatable {
    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// The bytes are not valid JSON.
    case invalidJSON
}

extension JSONValue {
    /// Parses JSON bytes (RFC 8259, strict), at most ``JSONParser/maximumDepth`` levels deep.
    ///
    /// Invalid UTF-8 is refused, never replaced, so no replacement character can turn a bad
    /// request into a different good one.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try Self.parse(bytes, selecting: nil)
    }

    /// Parses JSON text, building only what `selection` reads (all of it when nil): every
    /// value is checked as strictly as a whole parse; one stepped over reads as absent, and as
    /// `null` in an array, so the selection's paths evaluate as in the whole document.
    public static func parse(_ bytes: some Collection<UInt8>, selecting selection: JSONSelection?) throws(JSONParseError) -> JSONValue {
        let parse = { (buffer: UnsafeBufferPointer<UInt8>) in
            Result { () throws(JSONParser.Failure) in
                if let selection { try JSONParser.parse(buffer, selecting: selection) } else { try JSONParser.parse(buffer) }
            }
        }
        let parsed = bytes.withContiguousStorageIfAvailable(parse) ?? Array(bytes).withUnsafeBufferPointer(parse)
        switch parsed {
        case .success(let value):
            return value
        case .failure:
            // Only the error path pays for telling the two apart.
            throw String(validating: bytes, as: UTF8.self) == nil ? .invalidUTF8 : .invalidJSON
        }
    }

    /// The members of an object; nil for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text of a string; nil for any other value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
