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
    /// The JSON body.
    public var body: JSONValue

    /// Creates an answer with a JSON body.
    public init(status: Int, body: JSONValue, extraHeaders: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.extraHeaders = extraHeaders
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
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.extraHeaders.map { [$0.name, $0.value] } == rhs.extraHeaders.map { [$0.name, $0.value] }
    }
}
