import FoundationEssentials
import JSON
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// swift-log's backend for this service: one line per event on standard error, which systemd
/// writes to the journal.
///
/// The line reads as swift-log's `StreamLogHandler` writes it
/// (`2026-11-27T01:23:21+0000 info data-action: key=value … [Source] message`), but it is
/// built as bytes, with a UTC timestamp from `gmtime_r`, without the stream handler's
/// `localtime_r`, metadata merging and interpolation (bench/RESULTS.md, "Measurements behind the
/// code"), and handed whole to ``StandardErrorWriter``, so lines from concurrent workers never
/// interleave.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        Self.appendTimestamp(to: &line)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: self.label.utf8)
        line.append(UInt8(ascii: ":"))
        let merged: Logger.Metadata
        if let explicit = event.metadata {
            merged = self.metadata.isEmpty ? explicit : self.metadata.merging(explicit) { $1 }
        } else {
            merged = self.metadata
        }
        merged.forEachSortedByKey { _, key, value in
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            if case .string(let text) = value {
                Self.appendValue(text, to: &line)
            } else {
                Self.appendValue(value.description, to: &line)
            }
        }
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { StandardErrorWriter.shared.write(line: $0) }
    }

    /// Appends a value as logfmt writes it: bare when it is one plain word; otherwise quoted,
    /// with `"` and `\` escaped and control characters written as escapes, so no value can
    /// end its field early or add one.
    static func appendValue(_ value: String, to line: inout [UInt8]) {
        let bytes = value.utf8
        let plain =
            !bytes.isEmpty
            && !bytes.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard !plain else {
            line.append(contentsOf: bytes)
            return
        }
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
                let hex = Array("0123456789abcdef".utf8)
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hex[Int(byte >> 4)])
                line.append(hex[Int(byte & 0x0F)])
            default:
                line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

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
