import Actions

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
    public var outcome: CallOutcome
    /// Headers the status needs (`Allow`, `WWW-Authenticate`).
    public var headers: [String: String] = [:]
    /// What the log line's `detail` says, for the operator only; never in the answer.
    public var logDetail: String?

    /// The answer this violation gives.
    public var response: DataActionResponse {
        .error(self.status, self.message, extraHeaders: self.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}

extension ContractViolation {
    public static func methodNotAllowed(allow: String) -> Self {
        Self(status: 405, message: "Method not allowed; use \(allow).", outcome: .methodNotAllowed, headers: ["Allow": allow])
    }
    /// The answer for a method other than GET or HEAD on a path that is only read (health,
    /// readiness, metrics); nil for GET and HEAD.
    public static func onlyRead(method: String) -> Self? {
        method == "GET" || method == "HEAD" ? nil : .methodNotAllowed(allow: "GET, HEAD")
    }
    /// The 401; the log tells a header that never arrived (a web server that does not pass it
    /// on, as Apache without `CGIPassAuth On`) from a wrong secret.
    static func unauthorized(headerArrived: Bool) -> Self {
        Self(
            status: 401,
            message: "Missing or invalid bearer token.",
            outcome: .unauthorized,
            headers: ["WWW-Authenticate": "Bearer"],
            logDetail: headerArrived
                ? "the Authorization header is not Bearer with the shared secret"
                : "no Authorization header arrived; if the caller sent one, the web server did not pass it on (Apache: CGIPassAuth On)"
        )
    }
    static let wrongOrganization = Self(
        status: 403,
        message: "This endpoint does not serve this Genesys Cloud organization.",
        outcome: .forbidden
    )
    static func bodyTooLarge(limit: Int) -> Self {
        Self(status: 413, message: "Request body is larger than \(limit) bytes.", outcome: .tooLarge)
    }
    static let emptyBody = Self(status: 400, message: "Request body is empty; send the action's inputs as a JSON object.", outcome: .badRequest)
    static let bodyNotObject = Self(status: 400, message: "Request body must be a JSON object.", outcome: .badRequest)
    static let inputsNotObject = Self(status: 400, message: "'inputs' must be a JSON object.", outcome: .badRequest)
    /// The 400 for an input the action refuses, naming the input.
    init(_ refusal: InputRefusal) {
        let message =
            switch refusal {
            case .required(let name): "Input '\(name)' is required."
            case .wrongType(let name, let type): "Input '\(name)' must be \(Self.expected(type))."
            case .notValid(let name, let rule): "Input '\(name)' is not valid: \(rule)."
            case .notPathSegment(let name): "Input '\(name)' is not valid: '.' and '..' cannot be a path segment."
            case .emptyPathSegment(let name): "Input '\(name)' is required: it is a path segment of the upstream's URL."
            }
        self.init(status: 400, message: message, outcome: .badRequest)
    }
    private static func expected(_ type: ValueType) -> String {
        switch type {
        case .string: "a string or an integer"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "true or false"
        }
    }
    static let notFound = Self(status: 404, message: "Not found.", outcome: .noRoute)
    /// Every worker was busy for longer than the transport lets a request wait.
    public static let overloaded = Self(
        status: 503,
        message: "The service is busy; try again shortly.",
        outcome: .overloaded,
        headers: ["Retry-After": "1"]
    )
    static let internalError = Self(status: 500, message: "Internal error.", outcome: .internalError)
}
