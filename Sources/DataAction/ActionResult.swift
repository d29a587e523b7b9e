import Actions
import JSON
import UpstreamHTTP

/// What the upstream said, as the action reads it.
public enum ActionResult: Sendable, Equatable {
    /// The record the outputs are taken from.
    case found([String: JSONValue], upstreamStatus: Int)
    /// No such record: a not-found status, or a 2xx whose record path does not resolve.
    case notFound(upstreamStatus: Int)
    /// No usable answer.
    case failed(UpstreamFailure)

    /// The HTTP status the upstream answered with, when it answered.
    public var upstreamStatus: Int? {
        switch self {
        case .found(_, let status), .notFound(let status): status
        case .failed(let failure): failure.upstreamStatus
        }
    }
}

extension ActionResultRule {
    /// The action's result for an upstream answer; `body` is nil when it was over the limit.
    /// `selection` is what the action reads of the answer (``ActionDefinition/answerSelection``);
    /// nil reads it all.
    public func result(status: Int, body: [UInt8]?, selecting selection: JSONSelection? = nil) -> ActionResult {
        if self.notFoundStatuses.contains(status) {
            return .notFound(upstreamStatus: status)
        }
        guard (200..<300).contains(status) else {
            return .failed(.unexpectedStatus(status))
        }
        guard let body else { return .failed(.bodyTooLarge(status: status)) }
        guard let document = try? JSONValue.parse(body, selecting: selection) else { return .failed(.invalidBody(status: status)) }
        if let failWhen, let reported = failWhen.evaluate(in: document), let message = Self.failure(reported) {
            return .failed(.reportedFailure(status: status, message: message))
        }
        switch self.record.evaluate(in: document) {
        case nil, .null?:
            return .notFound(upstreamStatus: status)
        case .object(let members)?:
            return .found(members, upstreamStatus: status)
        case _?:
            return .failed(.invalidBody(status: status))
        }
    }

    /// The first message of a reported failure; nil for null, `false` or an empty list, which
    /// report none. A list gives its first element; an object its `message`; a string itself;
    /// anything else its JSON. Cut to 160 characters of one line.
    static func failure(_ value: JSONValue) -> String? {
        var first = value
        switch value {
        case .null, .bool(false): return nil
        case .array(let elements):
            guard let element = elements.first else { return nil }
            first = element
        default: break
        }
        let text: String =
            switch first {
            case .string(let text): text
            case .object(let members): members["message"]?.stringValue ?? String(decoding: first.serialized, as: UTF8.self)
            default: String(decoding: first.serialized, as: UTF8.self)
            }
        return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }.prefix(160))
    }
}

extension ActionDefinition {
    /// What the action reads of an upstream answer: where a failure is reported, what kind of
    /// value the record is, and inside it what each output reads. The rest of the answer is
    /// checked and stepped over, not built.
    public var answerSelection: JSONSelection {
        var paths: [(path: JSONPath, extent: JSONSelection.Extent)] = [(self.result.record, .kind)]
        if let failWhen = self.result.failWhen { paths.append((failWhen, .whole)) }
        for output in self.outputs {
            switch output.source {
            case .found: break
            case .path(let path), .list(let path): paths.append((self.result.record.appending(path), .whole))
            case .count(let path): paths.append((self.result.record.appending(path), .length))
            }
        }
        return JSONSelection(paths)
    }
}
