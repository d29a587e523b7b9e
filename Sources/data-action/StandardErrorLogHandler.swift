import DataAction
import JSON
import Logging

/// swift-log's backend for this service: one line per event on standard error, which systemd
/// writes to the journal.
///
/// The line (``LogfmtLine``) reads as swift-log's `StreamLogHandler` writes it, but it is built as
/// bytes, with a UTC timestamp from `gmtime_r`, without the stream handler's `localtime_r`,
/// metadata merging and interpolation (bench/RESULTS.md, "Measurements behind the code"), and
/// handed whole to ``StandardErrorWriter``, so lines from concurrent workers never interleave.
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
        LogfmtLine.appendHead(level: event.level, label: self.label, to: &line)
        let merged: Logger.Metadata
        if let explicit = event.metadata {
            merged = self.metadata.isEmpty ? explicit : self.metadata.merging(explicit) { $1 }
        } else {
            merged = self.metadata
        }
        merged.forEachSortedByKey { _, key, value in
            if case .string(let text) = value {
                LogfmtLine.appendField(key, text, to: &line)
            } else {
                LogfmtLine.appendField(key, value.description, to: &line)
            }
        }
        LogfmtLine.appendTail(source: event.source, message: event.message.description, to: &line)
        line.withUnsafeBytes { StandardErrorWriter.shared.write($0) }
    }
}
