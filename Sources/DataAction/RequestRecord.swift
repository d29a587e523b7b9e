import Logging
import UpstreamHTTP

/// What one request did, written as one log line when it ends.
///
/// The line carries Genesys' `ININ-Correlation-Id`, the only thread between a flow execution in
/// Genesys and this service's journal. It never carries a secret or a request body.
struct RequestRecord {
    /// Genesys' correlation id as it is logged: see ``loggable(correlationId:secrets:)``.
    var correlationId: String?
    var action = "none"
    /// The upstream the action called.
    var upstream: String?
    var outcome = CallOutcome.unknown
    var status = 0
    var upstreamStatus: Int?
    var upstreamDuration: Duration?
    var totalDuration: Duration = .zero
    /// A few words on an upstream failure.
    var detail: String?
    /// Where the answer came from, when the cache is on.
    var cache: CacheOutcome?
    /// How the upstream call came by its OAuth2 token, for an upstream that uses one.
    var token: TokenUse?

    /// The line's level: health checks come every few seconds from load balancers, so they stay
    /// out of the journal unless asked for.
    var level: Logger.Level { self.action == "health" ? .debug : .info }

    /// The line's message; its source is the module's name, as swift-log would find it.
    static let message = "request"
    static let source = "DataAction"

    /// The fields as swift-log metadata.
    var metadata: Logger.Metadata {
        // Room for every key at once, so the dictionary never grows.
        var metadata = Logger.Metadata(minimumCapacity: 11)
        self.forEachField { key, value in
            switch value {
            case .text(let text): metadata[key] = .string(text)
            case .integer(let integer): metadata[key] = .string(String(integer))
            case .milliseconds(let duration): metadata[key] = .string(Self.milliseconds(duration))
            }
        }
        return metadata
    }

    /// Writes the line through swift-log.
    func log(to logger: Logger) {
        // The source given: otherwise swift-log works it out of the file's path for each line.
        logger.log(level: self.level, Logger.Message(stringLiteral: Self.message), metadata: self.metadata, source: Self.source)
    }

    /// The whole line as ``LogfmtLine`` lays it out for swift-log's handler, without the
    /// metadata dictionary, its sort and swift-log's event (bench/ANALYSIS.md, "The request line
    /// without swift-log"); numbers written as digits, with no String between.
    func appendLine(label: String, to line: inout [UInt8]) {
        LogfmtLine.appendHead(level: self.level, label: label, to: &line)
        self.forEachField { key, value in
            switch value {
            case .text(let text): LogfmtLine.appendField(key, text, to: &line)
            case .integer(let integer): LogfmtLine.appendField(key, digitsOf: integer, to: &line)
            case .milliseconds(let duration): LogfmtLine.appendField(key, millisecondsOf: duration, to: &line)
            }
        }
        LogfmtLine.appendTail(source: Self.source, message: Self.message, to: &line)
    }

    /// A field's value as the record holds it.
    private enum FieldValue {
        case text(String)
        case integer(Int)
        /// Milliseconds with one decimal.
        case milliseconds(Duration)
    }

    /// Each field the line has, in the order of their names.
    private func forEachField(_ body: (String, FieldValue) -> Void) {
        body("action", .text(self.action))
        if let cache { body("cache", .text(cache.rawValue)) }
        body("correlationId", .text(self.correlationId ?? "-"))
        if let detail { body("detail", .text(detail)) }
        body("outcome", .text(self.outcome.rawValue))
        body("status", .integer(self.status))
        if let token { body("token", .text(token.rawValue)) }
        body("totalMs", .milliseconds(self.totalDuration))
        if let upstream { body("upstream", .text(upstream)) }
        if let upstreamDuration {
            body("upstreamMs", .milliseconds(upstreamDuration))
            body("upstreamStatus", self.upstreamStatus.map { .integer($0) } ?? .text("-"))
        }
    }

    /// Milliseconds with one decimal.
    static func milliseconds(_ duration: Duration) -> String {
        var bytes: [UInt8] = []
        LogfmtLine.appendMilliseconds(duration, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What the log line says for a correlation id that carries a secret.
    static let withheld = "(withheld: it contains a secret)"

    /// The correlation id as the log line carries it: as sent, cut to 128 characters and without
    /// control characters, so a caller cannot forge log lines; withheld when it carries a secret,
    /// whole, cut, or assembled by the removal of control characters between its parts (the
    /// request-path fuzzer found the first and the last).
    static func loggable(correlationId: String?, secrets: SharedSecrets) -> String? {
        guard let correlationId else { return nil }
        let printable = Self.printable(correlationId)
        if secrets.occur(in: correlationId) || (printable != correlationId && secrets.occur(in: printable)) {
            return Self.withheld
        }
        return printable
    }

    /// The correlation id cut to 128 characters and without control characters.
    static func printable(_ text: String) -> String {
        // Genesys sends a UUID: printable ASCII, well under the limit. Check the bytes first.
        if text.utf8.count <= 128, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return text
        }
        return String(text.unicodeScalars.prefix(128).filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
