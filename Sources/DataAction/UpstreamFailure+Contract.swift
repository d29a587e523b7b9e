import UpstreamHTTP

extension UpstreamFailure {
    /// The contract's answer: 504 for a passed deadline, 500 for a fault on this side, 502 for
    /// everything else; an open circuit answers as the failures that opened it did.
    var violation: ContractViolation {
        switch self {
        case .circuitOpen(let failure), .tokenUnavailable(_, let failure):
            failure.violation
        case .tokenRefused:
            ContractViolation(status: 502, message: "The upstream answered with an error.", outcome: .upstreamError)
        case .timedOut:
            ContractViolation(status: 504, message: "The upstream did not answer in time.", outcome: .upstreamTimeout)
        case .unreachable:
            ContractViolation(status: 502, message: "The upstream could not be reached.", outcome: .upstreamUnreachable)
        case .unexpectedStatus, .reportedFailure:
            ContractViolation(status: 502, message: "The upstream answered with an error.", outcome: .upstreamError)
        case .invalidBody, .bodyTooLarge:
            ContractViolation(status: 502, message: "The upstream sent an invalid answer.", outcome: .upstreamInvalid)
        case .local:
            .internalError
        }
    }
}
