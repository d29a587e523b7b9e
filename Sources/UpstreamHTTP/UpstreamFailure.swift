/// Why the upstream gave no usable answer.
public enum UpstreamFailure: Error, Sendable, Equatable {
    /// It answered with a status that is neither 2xx nor one of the action's not-found statuses
    /// (redirects are not followed).
    case unexpectedStatus(Int)
    /// Its 2xx body was not JSON, or the action's record in it was not a JSON object.
    case invalidBody(status: Int)
    /// Its 2xx body reports a failure where the action says to look (`failWhen`); with the
    /// first message found there, cut to one line.
    case reportedFailure(status: Int, message: String)
    /// Its body was longer than the configured limit.
    case bodyTooLarge(status: Int)
    /// It did not answer within the deadline.
    case timedOut
    /// The connection could not be made or broke.
    case unreachable(reason: String)
    /// The call failed on this side: the service's own fault or set-up (a TLS file that cannot
    /// be used, no memory), not the upstream's.
    case local(reason: String)
    /// Not tried: the circuit breaker is open after repeated failures like this one.
    indirect case circuitOpen(after: UpstreamFailure)
    /// Not tried: the OAuth2 token endpoint refused the client (its `error` code) or answered
    /// no token.
    case tokenRefused(endpoint: String, error: String)
    /// Not tried: the OAuth2 token endpoint could not be reached or did not answer in time.
    indirect case tokenUnavailable(endpoint: String, UpstreamFailure)

    /// The status it answered with, when it answered.
    public var upstreamStatus: Int? {
        switch self {
        case .unexpectedStatus(let status), .invalidBody(let status), .bodyTooLarge(let status), .reportedFailure(let status, _): status
        case .timedOut, .unreachable, .local, .circuitOpen, .tokenRefused, .tokenUnavailable: nil
        }
    }

    /// A few words for the log on what went wrong; never a secret or a body.
    public var logDetail: String {
        switch self {
        case .unexpectedStatus(let status): "status \(status)"
        case .invalidBody: "body is not JSON, or its record is not a JSON object"
        case .reportedFailure(_, let message): "the answer reports a failure: \(message)"
        case .bodyTooLarge: "body over the size limit"
        case .timedOut: "deadline passed"
        case .unreachable(let reason), .local(let reason): reason
        case .circuitOpen(let failure): "circuit open after repeated failures (\(failure.logDetail)); not tried"
        case .tokenRefused(let endpoint, let error): "token endpoint \(endpoint) refused: \(error); not tried"
        case .tokenUnavailable(let endpoint, let failure): "token endpoint \(endpoint): \(failure.logDetail); not tried"
        }
    }
}
