import Actions
import Dispatch

/// Where a call's answer came from, as the log line says it.
public enum CacheOutcome: String, Sendable {
    /// From memory: no upstream call.
    case hit
    /// This request called the upstream.
    case miss
    /// Another request was already making the same upstream request; this one waited for that
    /// answer instead of calling too.
    case coalesced
}

/// Remembers one upstream's answers for a while, and makes concurrent misses for the same
/// request share a single upstream call.
///
/// Only answers are remembered: a found record for ``CacheSettings/foundTTL``, a not-found one
/// for ``CacheSettings/notFoundTTL``. Failures (errors, timeouts, 5xx, unreachable) never are,
/// so the next call tries the upstream again. Calls take one short lock; the upstream call
/// runs outside it. A key names the action and its upstream request: two actions that make
/// the same request read the answer by their own rules.
public final class ActionResultCache: Sendable {
    private struct Entry: Sendable {
        let result: ActionResult
        let expires: ContinuousClock.Instant
    }

    /// One upstream call under way, which misses for the same key wait for.
    private final class Flight: @unchecked Sendable {
        // Sendable: `result` is written once, before `done` is left; readers wait for `done`.
        let done = DispatchGroup()
        var result: ActionResult?
    }

    private struct State {
        var entries: LeastRecentlyUsed<String, Entry>
        var inFlight: [String: Flight] = [:]

        /// The remembered answer for `key` if it has not expired at `now`; marks it recently used.
        mutating func freshResult(for key: String, at now: ContinuousClock.Instant) -> ActionResult? {
            guard let entry = self.entries.value(for: key), entry.expires > now else { return nil }
            return entry.result
        }
    }

    private let settings: CacheSettings
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: LockedValue<State>

    /// Creates an empty cache; `now` is the clock expiry is measured on (tests move it).
    public init(settings: CacheSettings, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.settings = settings
        self.now = now
        self.state = LockedValue(State(entries: LeastRecentlyUsed(capacity: settings.maxEntries)))
    }

    /// The answer for `key`: remembered, shared with a call already under way, or from `load`.
    ///
    /// The first miss for a key calls `load` on its own thread, outside the lock; misses that
    /// arrive before it returns wait for its answer. Then the answer is remembered if it may be,
    /// and the call is no longer under way. `decided` learns the outcome as soon as it is known,
    /// before the wait or the load: a call that joins another is counted while it waits.
    public func result(
        for key: String,
        decided: (CacheOutcome) -> Void = { _ in },
        load: () -> ActionResult
    ) -> (result: ActionResult, outcome: CacheOutcome) {
        enum Plan {
            case remembered(ActionResult)
            case join(Flight)
            case lead(Flight)
        }
        let now = self.now()
        let plan = self.state.withLock { state -> Plan in
            if let result = state.freshResult(for: key, at: now) {
                return .remembered(result)
            }
            if let flight = state.inFlight[key] {
                return .join(flight)
            }
            let flight = Flight()
            flight.done.enter()
            state.inFlight[key] = flight
            return .lead(flight)
        }
        switch plan {
        case .remembered(let result):
            decided(.hit)
            return (result, .hit)
        case .join(let flight):
            decided(.coalesced)
            flight.done.wait()
            return (flight.result!, .coalesced)
        case .lead(let flight):
            decided(.miss)
            let result = load()
            let lifetime = self.lifetime(of: result)
            let finished = self.now()
            self.state.withLock { state in
                state.inFlight[key] = nil
                if let lifetime {
                    state.entries.set(Entry(result: result, expires: finished + lifetime), for: key)
                }
            }
            flight.result = result
            flight.done.leave()
            return (result, .miss)
        }
    }

    /// How many answers are held (expired ones too, until they are replaced or forgotten).
    public var entries: Int {
        self.state.withLock { $0.entries.count }
    }

    /// How long `result` may be remembered; nil for never.
    private func lifetime(of result: ActionResult) -> Duration? {
        switch result {
        case .found: self.settings.foundTTL > .zero ? self.settings.foundTTL : nil
        case .notFound: self.settings.notFoundTTL > .zero ? self.settings.notFoundTTL : nil
        case .failed: nil
        }
    }
}
