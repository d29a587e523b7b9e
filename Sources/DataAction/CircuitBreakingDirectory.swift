/// A ``UserDirectory`` behind an ``UpstreamCircuitBreaker``: while the circuit is open,
/// lookups answer at once without touching the upstream.
public struct CircuitBreakingDirectory: UserDirectory {
    let directory: any UserDirectory
    let breaker: UpstreamCircuitBreaker

    /// Puts `directory` behind `breaker`.
    public init(wrapping directory: any UserDirectory, breaker: UpstreamCircuitBreaker) {
        self.directory = directory
        self.breaker = breaker
    }

    public func lookUpUser(_ id: UserIdentifier) -> UserLookupResult {
        switch self.breaker.admit() {
        case .reject(let failure):
            return .failed(failure)
        case .call, .probe:
            let result = self.directory.lookUpUser(id)
            self.breaker.record(result)
            return result
        }
    }
}
