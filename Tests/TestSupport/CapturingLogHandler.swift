import Logging
import Synchronization

/// Keeps every log line in memory, so tests can read what the service would have logged.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Every line logged so far, message and metadata as `key=value`.
    public var all: [String] { self.lines.withLock { $0 } }

    /// A logger that writes here, at `level` and above.
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test") { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = level
        return logger
    }

    func append(_ line: String) {
        self.lines.withLock { $0.append(line) }
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        self.capture.append("\(event.level) \(event.message) \(fields)")
    }
}
