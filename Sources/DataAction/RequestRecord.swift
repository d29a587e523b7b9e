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
        self.forEachField { metadata[$0] = .string($1) }
        return metadata
    }

    /// Writes the line through swift-log.
    func log(to logger: Logger) {
        // The source given: otherwise swift-log works it out of the file's path for each line.
        logger.log(level: self.level, Logger.Message(stringLiteral: Self.message), metadata: self.metadata, source: Self.source)
    }

    /// The whole line as ``LogfmtLine`` lays it out for swift-log's handler, without the
    /// metadata dictionary, its sort and swift-log's event (bench/ANALYSIS.md, "The request line
    /// without swift-log").
    func appendLine(label: String, to line: inout [UInt8]) {
        LogfmtLine.appendHead(level: self.level, label: label, to: &line)
        self.forEachField { LogfmtLine.appendField($0, $1, to: &line) }
        LogfmtLine.appendTail(source: Self.source, message: Self.message, to: &line)
    }

    /// Each field the line has, in the order of their names.
    private func forEachField(_ body: (String, String) -> Void) {
        body("action", self.action)
        if let cache { body("cache", cache.rawValue) }
        // Values as they are: an interpolated value is a new String each time.
        body("correlationId", self.correlationId ?? "-")
        if let detail { body("detail", detail) }
        body("outcome", self.outcome.rawValue)
        body("status", String(self.status))
        if let token { body("token", token.rawValue) }
        body("totalMs", Self.milliseconds(self.totalDuration))
        if let upstream { body("upstream", upstream) }
        if let upstreamDuration {
            body("upstreamMs", Self.milliseconds(upstreamDuration))
            body("upstreamStatus", self.upstreamStatus.map(String.init) ?? "-")
        }
    }

    /// Milliseconds with one decimal.
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        var text = String(microseconds / 1000)
        text.unicodeScalars.append(".")
        text.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") + UInt8(microseconds % 1000 / 100)))
        return text
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
