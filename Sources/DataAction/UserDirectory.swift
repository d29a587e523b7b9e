/// Where users are looked up: the seam between the action and the upstream REST API.
///
/// ``HTTPUserDirectory`` is the real one. A lookup blocks the calling thread until the answer
/// is in: the FastCGI workers are threads that wait anyway, and an answer that needs no event
/// loop, future or thread hop is the cheapest there is.
public protocol UserDirectory: Sendable {
    /// Looks one user up. Never throws: every failure is a ``UserLookupResult/failed(_:)``.
    func lookUpUser(_ id: UserIdentifier) -> UserLookupResult
}

/// What the upstream said about one user.
public enum UserLookupResult: Sendable, Equatable {
    /// The user exists.
    case found(UserRecord, upstreamStatus: Int)
    /// The directory answered 404.
    case notFound
    /// The directory could not give an answer the service can use.
    case failed(UpstreamFailure)

    /// The HTTP status the directory answered with, when it answered.
    public var upstreamStatus: Int? {
        switch self {
        case .found(_, let status): status
        case .notFound: 404
        case .failed(let failure): failure.upstreamStatus
        }
    }
}

/// The fields of a user record the action maps to outputs; a field that is missing or not a
/// string is nil.
public struct UserRecord: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?

    public init(name: String?, email: String?, phone: String?) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// Why the user directory gave no usable answer.
public enum UpstreamFailure: Error, Sendable, Equatable {
    /// It answered with a status other than 2xx or 404 (redirects are not followed).
    case unexpectedStatus(Int)
    /// Its 2xx body was not a JSON object.
    case invalidBody(status: Int)
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

    /// The status it answered with, when it answered.
    public var upstreamStatus: Int? {
        switch self {
        case .unexpectedStatus(let status), .invalidBody(let status), .bodyTooLarge(let status): status
        case .timedOut, .unreachable, .local, .circuitOpen: nil
        }
    }

    /// The contract's answer: 504 for a passed deadline, 500 for a fault on this side, 502 for
    /// everything else; an open
    /// circuit answers as the failures that opened it did.
    var violation: ContractViolation {
        switch self {
        case .circuitOpen(let failure):
            failure.violation
        case .timedOut:
            ContractViolation(status: 504, message: "The user directory did not answer in time.", outcome: "upstream-timeout")
        case .unreachable:
            ContractViolation(status: 502, message: "The user directory could not be reached.", outcome: "upstream-unreachable")
        case .unexpectedStatus:
            ContractViolation(status: 502, message: "The user directory answered with an error.", outcome: "upstream-error")
        case .invalidBody, .bodyTooLarge:
            ContractViolation(status: 502, message: "The user directory sent an invalid answer.", outcome: "upstream-invalid")
        case .local:
            .internalError
        }
    }

    /// A few words for the log on what went wrong; never a secret or a body.
    public var logDetail: String {
        switch self {
        case .unexpectedStatus(let status): "status \(status)"
        case .invalidBody: "body is not a JSON object"
        case .bodyTooLarge: "body over the size limit"
        case .timedOut: "deadline passed"
        case .unreachable(let reason), .local(let reason): reason
        case .circuitOpen(let failure): "circuit open after repeated failures (\(failure.logDetail)); not tried"
        }
    }
}
