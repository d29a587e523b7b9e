/// What became of one request, as its log line's `outcome` and its metric's label say it.
public enum CallOutcome: String, Sendable, CaseIterable {
    case found
    case notFound = "not-found"
    /// A health check answered.
    case ok
    case badRequest = "bad-request"
    case unauthorized
    case forbidden
    case tooLarge = "too-large"
    case methodNotAllowed = "method-not-allowed"
    /// A path that is no action.
    case noRoute = "no-route"
    case overloaded
    case upstreamTimeout = "upstream-timeout"
    case upstreamUnreachable = "upstream-unreachable"
    case upstreamError = "upstream-error"
    case upstreamInvalid = "upstream-invalid"
    case internalError = "internal-error"
    /// Not decided: never left so when a request ends.
    case unknown
}

/// What an upstream call gave, as the upstream metric's `result` label says it.
enum UpstreamResult: String, CaseIterable {
    case found
    case notFound = "not-found"
    case timeout
    case unreachable
    case error
    case invalid
    case internalError = "internal-error"
    /// Not sent: the circuit was open.
    case circuitOpen = "circuit-open"

    /// Its place in ``allCases``.
    var index: Int {
        switch self {
        case .found: 0
        case .notFound: 1
        case .timeout: 2
        case .unreachable: 3
        case .error: 4
        case .invalid: 5
        case .internalError: 6
        case .circuitOpen: 7
        }
    }

    init(_ result: ActionResult) {
        self =
            switch result {
            case .found: .found
            case .notFound: .notFound
            case .failed(.timedOut): .timeout
            case .failed(.unreachable): .unreachable
            case .failed(.unexpectedStatus), .failed(.reportedFailure): .error
            case .failed(.invalidBody), .failed(.bodyTooLarge): .invalid
            case .failed(.local): .internalError
            case .failed(.circuitOpen): .circuitOpen
            case .failed(.tokenRefused): .error
            case .failed(.tokenUnavailable(_, let failure)): Self(.failed(failure))
            }
    }
}
