import JSON
import Logging
import Testing

@testable import DataAction

/// The serving process writes its request lines without swift-log (``RequestRecord/appendLine``);
/// swift-log's handler lays out the same record from its metadata, sorted by key. Both must be
/// the same bytes.
@Suite("Request lines", .timeLimit(.minutes(1)))
struct RequestLineTests {
    static func records() -> [RequestRecord] {
        var plain = RequestRecord(correlationId: "corr-1")
        plain.action = "user-lookup"
        plain.outcome = .found
        plain.status = 200
        plain.totalDuration = .microseconds(1234)
        var full = plain
        full.upstream = "crm"
        full.upstreamStatus = 200
        full.upstreamDuration = .microseconds(987)
        full.cache = .miss
        full.token = .refreshed
        full.detail = #"connection "reset" by\the upstream"#
        var unanswered = full
        unanswered.upstreamStatus = nil
        unanswered.upstreamDuration = .seconds(5)
        unanswered.correlationId = nil
        var health = RequestRecord(correlationId: "a=b c\nd")
        health.action = "health"
        health.outcome = .ok
        return [plain, full, unanswered, health, RequestRecord(correlationId: RequestRecord.withheld)]
    }

    @Test("a request line written straight is the line swift-log's handler lays out from its metadata")
    func sameLineBothWays() {
        for record in Self.records() {
            var straight: [UInt8] = []
            record.appendLine(label: "data-action", to: &straight)
            var throughMetadata: [UInt8] = []
            LogfmtLine.appendHead(level: record.level, label: "data-action", to: &throughMetadata)
            record.metadata.forEachSortedByKey { _, key, value in
                LogfmtLine.appendField(key, value.description, to: &throughMetadata)
            }
            LogfmtLine.appendTail(source: "DataAction", message: "request", to: &throughMetadata)
            // The timestamp (24 bytes) may have moved on to the next second in between.
            #expect(
                String(decoding: straight.dropFirst(24), as: UTF8.self) == String(decoding: throughMetadata.dropFirst(24), as: UTF8.self)
            )
            #expect(straight.last == UInt8(ascii: "\n"))
        }
    }

    @Test(
        "a value is written bare when it is one plain word, otherwise quoted with its quotes, backslashes and controls escaped",
        arguments: [
            ("found", " k=found"), ("", #" k="""#), ("a b", #" k="a b""#), ("a=b", #" k="a=b""#),
            (#"say "hi"\now"#, #" k="say \"hi\"\\now""#), ("tab\there\r\n", #" k="tab\there\r\n""#),
            ("bell\u{07}del\u{7F}", #" k="bell\u0007del\u007f""#), ("é", " k=é"),
        ]
    )
    func fieldValues(value: String, written: String) {
        var line: [UInt8] = []
        LogfmtLine.appendField("k", value, to: &line)
        #expect(String(decoding: line, as: UTF8.self) == written)
    }

    @Test(
        "a duration is written in milliseconds cut to one decimal",
        arguments: [
            (Duration.zero, "0.0"), (.microseconds(99), "0.0"), (.microseconds(1234), "1.2"), (.microseconds(1299), "1.2"),
            (.seconds(5), "5000.0"), (.microseconds(12_345_678), "12345.6"), (.seconds(86_400 * 365), "31536000000.0"),
        ]
    )
    func milliseconds(duration: Duration, written: String) {
        var line: [UInt8] = []
        LogfmtLine.appendField("ms", millisecondsOf: duration, to: &line)
        #expect(String(decoding: line, as: UTF8.self) == " ms=" + written)
        #expect(RequestRecord.milliseconds(duration) == written)
    }

    @Test("an integer is written as its digits", arguments: [0, 7, 200, 504, -1, -40, Int.max, Int.min])
    func digits(value: Int) {
        var line: [UInt8] = []
        LogfmtLine.appendField("n", digitsOf: value, to: &line)
        #expect(String(decoding: line, as: UTF8.self) == " n=\(value)")
    }

    @Test("a health check's line is at debug, every other at info")
    func levels() {
        #expect(Self.records().map(\.level) == [.info, .info, .info, .debug, .info])
    }
}
