import NIOCore

/// A ``UserDirectory`` behind an ``UpstreamCircuitBreaker``: while the circuit is open,
/// lookups answer at once without touching the directory.
public struct CircuitBreakingDirectory: UserDirectory {
    let directory: any UserDirectory
    let breaker: UpstreamCircuitBreaker

    /// Puts `directory` behind `breaker`.
    public init(wrapping directory: any UserDirectory, breaker: UpstreamCircuitBreaker) {
        self.directory = directory
        self.breaker = breaker
    }

    public var eventLoop: any EventLoop { self.directory.eventLoop }

    public func lookUpUser(_ id: UserIdentifier) -> EventLoopFuture<UserLookupResult> {
        switch self.breaker.admit() {
        case .reject(let failure):
            return self.eventLoop.makeSucceededFuture(.failed(failure))
        case .call, .probe:
            let breaker = self.breaker
            return self.directory.lookUpUser(id).map { result in
                breaker.record(result)
                return result
            }
        }
    }
}
