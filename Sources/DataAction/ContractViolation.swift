/// A request the contract refuses, with the status and message the caller gets.
///
/// Messages are written for the person reading Genesys' test output: they say what is wrong
/// with the request and never carry internal detail.
public struct ContractViolation: Error, Equatable, Sendable {
    /// The HTTP status.
    public var status: Int
    /// The message in the error body.
    public var message: String
    /// A short word for the log line's `outcome`.
    public var outcome: String
    /// Headers the status needs (`Allow`, `WWW-Authenticate`).
    public var headers: [String: String] = [:]

    /// The answer this violation gives.
    public var response: DataActionResponse {
        .error(self.status, self.message, extraHeaders: self.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}

extension ContractViolation {
    static func methodNotAllowed(allow: String) -> Self {
        Self(status: 405, message: "Method not allowed; use \(allow).", outcome: "method-not-allowed", headers: ["Allow": allow])
    }
    static let unauthorized = Self(
        status: 401,
        message: "Missing or invalid bearer token.",
        outcome: "unauthorized",
        headers: ["WWW-Authenticate": "Bearer"]
    )
    static let wrongOrganization = Self(
        status: 403,
        message: "This endpoint does not serve this Genesys Cloud organization.",
        outcome: "forbidden"
    )
    static func bodyTooLarge(limit: Int) -> Self {
        Self(status: 413, message: "Request body is larger than \(limit) bytes.", outcome: "too-large")
    }
    static let emptyBody = Self(
        status: 400,
        message: "Request body is empty; send a JSON object such as {\"userId\":\"1\"}.",
        outcome: "bad-request"
    )
    static let bodyNotObject = Self(status: 400, message: "Request body must be a JSON object.", outcome: "bad-request")
    static let inputsNotObject = Self(status: 400, message: "'inputs' must be a JSON object.", outcome: "bad-request")
    static let userIdRequired = Self(status: 400, message: "Input 'userId' is required.", outcome: "bad-request")
    static let userIdWrongType = Self(status: 400, message: "Input 'userId' must be a string or an integer.", outcome: "bad-request")
    static let userIdUnsafe = Self(
        status: 400,
        message: "Input 'userId' is not a valid user id: at most 128 characters, no '/', '?', '#' or control characters, not '.' or '..'.",
        outcome: "bad-request"
    )
    static let notFound = Self(status: 404, message: "Not found.", outcome: "no-route")
    /// Every worker was busy for longer than the transport lets a request wait.
    public static let overloaded = Self(
        status: 503,
        message: "The service is busy; try again shortly.",
        outcome: "overloaded",
        headers: ["Retry-After": "1"]
    )
    static let internalError = Self(status: 500, message: "Internal error.", outcome: "internal-error")
}
