import JSON

/// The service's answer: a status, headers and a JSON body.
///
/// Every answer carries `Content-Type: application/json; charset=utf-8` and
/// `Cache-Control: no-store`: data action answers are per caller and never cacheable.
public struct DataActionResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Headers beyond the two every answer has (`Allow`, `WWW-Authenticate`).
    public var extraHeaders: [(name: String, value: String)]
    /// The body as it is sent: compact JSON text, object keys sorted.
    public var serializedBody: [UInt8]

    /// Creates an answer with a JSON body.
    public init(status: Int, body: JSONValue, extraHeaders: [(name: String, value: String)] = []) {
        self.init(status: status, serializedBody: body.serialized, extraHeaders: extraHeaders)
    }

    /// Creates an answer from a body already written as JSON text (``JSONValue/serialized``'s form).
    public init(status: Int, serializedBody: [UInt8], extraHeaders: [(name: String, value: String)] = []) {
        self.status = status
        self.serializedBody = serializedBody
        self.extraHeaders = extraHeaders
    }

    /// The body as a JSON value.
    public var body: JSONValue {
        // The service wrote the text itself, from a JSON value.
        (try? JSONValue.parse(self.serializedBody)) ?? .null
    }

    /// An error answer: `{"errors":[{"message": …}]}`.
    public static func error(_ status: Int, _ message: String, extraHeaders: [(name: String, value: String)] = []) -> Self {
        Self(
            status: status,
            body: .object(["errors": .array([.object(["message": .string(message)])])]),
            extraHeaders: extraHeaders
        )
    }

    /// The headers every answer has, first.
    public static let standardHeaders: [(name: String, value: String)] = [
        ("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
    ]

    /// Every header of the answer, in order.
    public var headers: [(name: String, value: String)] {
        Self.standardHeaders + self.extraHeaders
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.serializedBody == rhs.serializedBody
            && lhs.extraHeaders.map { [$0.name, $0.value] } == rhs.extraHeaders.map { [$0.name, $0.value] }
    }
}
