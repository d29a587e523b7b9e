import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The service's log line as bytes, in one place for swift-log's handler and the request line:
/// `2026-11-27T01:23:21+0000 info data-action: key=value … [Source] message`, as swift-log's
/// `StreamLogHandler` lays it out, with a UTC timestamp and logfmt values.
public enum LogfmtLine {
    /// The timestamp (now, UTC), the level and the label: `… info data-action:`.
    public static func appendHead(level: Logger.Level, label: String, to line: inout [UInt8]) {
        Self.appendTimestamp(to: &line)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: level.rawValue.utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: label.utf8)
        line.append(UInt8(ascii: ":"))
    }

    /// One field, ` key=value`.
    public static func appendField(_ key: String, _ value: String, to line: inout [UInt8]) {
        Self.appendKey(key, to: &line)
        Self.appendValue(value, to: &line)
    }

    /// The source and the message, ` [Source] message`, and the line's end.
    public static func appendTail(source: String, message: String, to line: inout [UInt8]) {
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: message.utf8)
        line.append(UInt8(ascii: "\n"))
    }

    /// One field whose value is an integer, written as its digits.
    public static func appendField(_ key: String, digitsOf value: Int, to line: inout [UInt8]) {
        Self.appendKey(key, to: &line)
        Self.appendDigits(value, to: &line)
    }

    /// One field whose value is a duration, in milliseconds with one decimal (`12.3`).
    public static func appendField(_ key: String, millisecondsOf duration: Duration, to line: inout [UInt8]) {
        Self.appendKey(key, to: &line)
        Self.appendMilliseconds(duration, to: &line)
    }

    /// A field's start, ` key=`.
    private static func appendKey(_ key: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: key.utf8)
        line.append(UInt8(ascii: "="))
    }

    /// A duration in milliseconds with one decimal, cut (not rounded) to the tenth.
    static func appendMilliseconds(_ duration: Duration, to line: inout [UInt8]) {
        let (seconds, attoseconds) = duration.components
        let tenths = Int(seconds) * 10_000 + Int(attoseconds / 100_000_000_000_000)
        Self.appendDigits(tenths / 10, to: &line)
        line.append(UInt8(ascii: "."))
        line.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: abs(tenths % 10)))
    }

    /// An integer's decimal digits, with a minus sign when negative.
    static func appendDigits(_ value: Int, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold any UInt64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            line.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Appends a value as logfmt writes it: bare when it is one plain word; otherwise quoted,
    /// with `"` and `\` escaped and control characters written as escapes, so no value can
    /// end its field early or add one.
    static func appendValue(_ value: String, to line: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            guard !bytes.isEmpty, !bytes.contains(where: Self.needsQuotes) else {
                Self.appendQuoted(bytes, to: &line)
                return
            }
            line.append(contentsOf: bytes)
        }
    }

    /// Whether a byte keeps a value from being written bare.
    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                line.append(UInt8(ascii: "\\"))
                line.append(byte)
            case UInt8(ascii: "\n"):
                line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"):
                line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"):
                line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(Self.hexDigits[Int(byte >> 4)])
                line.append(Self.hexDigits[Int(byte & 0x0F)])
            default:
                line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `YYYY-MM-DDTHH:MM:SS+0000`, now, in UTC.
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func append(_ value: Int32, digits: Int) {
            var divisor: Int32 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(parts.tm_year + 1900, digits: 4)
        line.append(UInt8(ascii: "-"))
        append(parts.tm_mon + 1, digits: 2)
        line.append(UInt8(ascii: "-"))
        append(parts.tm_mday, digits: 2)
        line.append(UInt8(ascii: "T"))
        append(parts.tm_hour, digits: 2)
        line.append(UInt8(ascii: ":"))
        append(parts.tm_min, digits: 2)
        line.append(UInt8(ascii: ":"))
        append(parts.tm_sec, digits: 2)
        line.append(contentsOf: "+0000".utf8)
    }
}
