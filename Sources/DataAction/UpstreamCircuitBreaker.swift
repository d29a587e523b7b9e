import Actions
import Logging
import UpstreamHTTP

/// Stops calling an upstream that is down: after ``CircuitBreakerSettings/failureThreshold``
/// consecutive connect failures or timeouts the circuit opens, and calls fail at once
/// (502, or 504 when timeouts opened it) instead of each holding a worker for the whole
/// deadline. After ``CircuitBreakerSettings/coolDown`` one call is let through as a probe
/// (half-open): an answer closes the circuit, another failure opens it again.
///
/// Only failures to get an answer count. An upstream that answers, even with a 404 or a 500,
/// is up, and resets the count. Each change of state is logged once, at warning, with the
/// upstream's name.
public final class UpstreamCircuitBreaker: Sendable {
    /// Whether a call may go to the upstream.
    public enum Admission: Sendable, Equatable {
        /// Call it.
        case call
        /// Call it: this is the one probe of a half-open circuit.
        case probe
        /// Do not call it: answer this failure at once.
        case reject(UpstreamFailure)
    }

    /// The circuit's state, as metrics and readiness report it.
    public enum CircuitState: Int, Sendable {
        /// Calls go to the upstream.
        case closed = 0
        /// The cool-down is over: the next call, or the one under way, is the probe.
        case halfOpen = 1
        /// Calls are answered at once without calling the upstream.
        case open = 2
    }

    private enum State {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant, after: UpstreamFailure)
        case halfOpen(after: UpstreamFailure)
    }

    private let settings: CircuitBreakerSettings
    private let logger: Logger
    /// The upstream's name, for the log.
    private let upstream: String
    private let now: @Sendable () -> ContinuousClock.Instant
    private let circuit = LockedValue(State.closed(consecutiveFailures: 0))

    /// Creates a closed breaker; `now` is the clock the cool-down runs on (tests move it).
    public init(
        settings: CircuitBreakerSettings,
        upstream: String,
        logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.settings = settings
        self.logger = logger
        self.upstream = upstream
        self.now = now
    }

    /// Says whether the next call may go to the upstream.
    public func admit() -> Admission {
        let now = self.now()
        let (admission, halfOpened) = self.circuit.withLock { state -> (Admission, Bool) in
            switch state {
            case .closed:
                return (.call, false)
            case .open(let until, let failure):
                guard now >= until else { return (.reject(.circuitOpen(after: failure)), false) }
                state = .halfOpen(after: failure)
                return (.probe, true)
            case .halfOpen(let failure):
                return (.reject(.circuitOpen(after: failure)), false)
            }
        }
        if halfOpened {
            self.logger.warning("upstream circuit half-open: letting one call through as a probe", metadata: ["upstream": "\(self.upstream)"])
        }
        return admission
    }

    /// The circuit's state now.
    public var state: CircuitState {
        let now = self.now()
        return self.circuit.withLock { state in
            switch state {
            case .closed: .closed
            case .open(let until, _): now < until ? .open : .halfOpen
            case .halfOpen: .halfOpen
            }
        }
    }

    /// Records what a call that was let through got; true when it opened the circuit.
    @discardableResult
    public func record(_ result: ActionResult) -> Bool {
        let failure: UpstreamFailure? =
            switch result {
            case .failed(let failure) where failure.opensCircuit: failure
            default: nil
            }
        let coolDownEnd = self.now() + self.settings.coolDown
        let change = self.circuit.withLock { state -> String? in
            switch (state, failure) {
            case (.closed, nil):
                state = .closed(consecutiveFailures: 0)
                return nil
            case (.closed(let count), let failure?):
                guard count + 1 >= self.settings.failureThreshold else {
                    state = .closed(consecutiveFailures: count + 1)
                    return nil
                }
                state = .open(until: coolDownEnd, after: failure)
                return "upstream circuit open: \(count + 1) consecutive failures (\(failure.logDetail)); "
                    + "answering at once for \(self.settings.coolDown.components.seconds) s"
            case (.halfOpen, nil):
                state = .closed(consecutiveFailures: 0)
                return "upstream circuit closed: the probe got an answer"
            case (.halfOpen, let failure?):
                state = .open(until: coolDownEnd, after: failure)
                return
                    "upstream circuit open again: the probe failed (\(failure.logDetail)); answering at once for \(self.settings.coolDown.components.seconds) s"
            case (.open, _):
                // A call admitted before the circuit opened finished late: nothing changes.
                return nil
            }
        }
        guard let change else { return false }
        self.logger.warning("\(change)", metadata: ["upstream": "\(self.upstream)"])
        return failure != nil
    }
}

extension UpstreamFailure {
    /// Failures that say the upstream is not answering at all.
    var opensCircuit: Bool {
        switch self {
        case .timedOut, .unreachable: true
        // The token endpoint is another server: its failures say nothing of the upstream.
        case .unexpectedStatus, .invalidBody, .bodyTooLarge, .reportedFailure, .local, .circuitOpen, .tokenRefused, .tokenUnavailable: false
        }
    }
}
