extension JSONValue {
    /// The value as compact JSON text in UTF-8, object keys sorted so output is stable.
    public var serialized: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        self.write(to: &output, indentation: nil)
        return output
    }

    /// Appends the value as compact JSON text, object keys sorted, to `output`.
    public func append(to output: inout [UInt8]) {
        self.write(to: &output, indentation: nil)
    }

    /// The value as JSON text for people to read: two-space indentation, keys sorted, a final
    /// newline. Used for files an operator opens, such as the exported Genesys action.
    public var prettySerialized: String {
        var output: [UInt8] = []
        self.write(to: &output, indentation: 0)
        output.append(UInt8(ascii: "\n"))
        return String(decoding: output, as: UTF8.self)
    }

    /// Writes the value; `indentation` is the current depth for pretty output, nil for compact.
    private func write(to output: inout [UInt8], indentation: Int?) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            output.append(contentsOf: String(value).utf8)
        case .number(let value):
            // JSON has no NaN or infinity.
            output.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.breakLine(in: &output, depth: indentation.map { $0 + 1 })
                element.write(to: &output, indentation: indentation.map { $0 + 1 })
            }
            if !elements.isEmpty { Self.breakLine(in: &output, depth: indentation) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            members.forEachSortedByKey { index, key, value in
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.breakLine(in: &output, depth: indentation.map { $0 + 1 })
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if indentation != nil { output.append(UInt8(ascii: " ")) }
                value.write(to: &output, indentation: indentation.map { $0 + 1 })
            }
            if !members.isEmpty { Self.breakLine(in: &output, depth: indentation) }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Starts a new line indented to `depth` in pretty output; does nothing in compact output.
    private static func breakLine(in output: inout [UInt8], depth: Int?) {
        guard let depth else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes a string literal, escaping what RFC 8259 requires; other characters stay UTF-8.
    private static func writeString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            // Runs of bytes that need no escape are appended whole.
            var plainStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                plainStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
                case 0x0A: output.append(contentsOf: "\\n".utf8)
                case 0x0D: output.append(contentsOf: "\\r".utf8)
                case 0x09: output.append(contentsOf: "\\t".utf8)
                default:
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(Self.hexDigits[Int(byte >> 4)])
                    output.append(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension Dictionary where Key == String {
    /// Calls `body` with each member in the order of its key, sorting positions on the stack
    /// (no array of keys is made).
    @inlinable
    public func forEachSortedByKey(_ body: (_ offset: Int, _ key: String, _ value: Value) throws -> Void) rethrows {
        try withUnsafeTemporaryAllocation(of: Index.self, capacity: self.count) { positions in
            var filled = 0
            var position = self.startIndex
            while position != self.endIndex {
                positions.initializeElement(at: filled, to: position)
                filled += 1
                position = self.index(after: position)
            }
            var filledPositions = UnsafeMutableBufferPointer(rebasing: positions[..<filled])
            defer { filledPositions.deinitialize() }
            // Keys only: `self[position]` would copy each value for every comparison.
            filledPositions.sort { self.keys[$0] < self.keys[$1] }
            for offset in 0..<filled {
                let member = self[filledPositions[offset]]
                try body(offset, member.key, member.value)
            }
        }
    }
}
