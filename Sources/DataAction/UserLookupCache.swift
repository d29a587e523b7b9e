import Dispatch

/// How long lookups are remembered; both durations zero means no cache (the default).
public struct CacheSettings: Sendable, Equatable {
    /// How long a found user is answered from memory.
    public var foundTTL: Duration
    /// How long a user the directory did not know (404) is answered from memory.
    public var notFoundTTL: Duration
    /// The most users remembered; past it the least recently used is forgotten.
    public var maxEntries: Int

    /// No cache: every lookup asks the directory.
    public static let off = CacheSettings(foundTTL: .zero, notFoundTTL: .zero, maxEntries: 10_000)

    public init(foundTTL: Duration, notFoundTTL: Duration, maxEntries: Int) {
        self.foundTTL = foundTTL
        self.notFoundTTL = notFoundTTL
        self.maxEntries = maxEntries
    }

    /// True when something is cached at all.
    public var isEnabled: Bool { self.foundTTL > .zero || self.notFoundTTL > .zero }
}

/// Where a lookup's answer came from, as the log line says it.
public enum CacheOutcome: String, Sendable {
    /// From memory: no directory call.
    case hit
    /// This request called the directory.
    case miss
    /// Another request was already calling the directory for the same user; this one waited
    /// for that answer instead of calling too.
    case coalesced
}

/// Remembers directory answers for a while, and makes concurrent misses for one user share a
/// single directory call.
///
/// Only answers are remembered: a found user for ``CacheSettings/foundTTL``, a 404 for
/// ``CacheSettings/notFoundTTL``. Failures (errors, timeouts, 5xx, unreachable) never are, so
/// the next call tries the directory again. Lookups take one short lock; the directory call
/// runs outside it.
public final class UserLookupCache: Sendable {
    private struct Entry: Sendable {
        let result: UserLookupResult
        let expires: ContinuousClock.Instant
    }

    /// One upstream call under way, which misses for the same user wait for.
    private final class Flight: @unchecked Sendable {
        // Sendable: `result` is written once, before `done` is left; readers wait for `done`.
        let done = DispatchGroup()
        var result: UserLookupResult?
    }

    private struct State {
        var entries: LeastRecentlyUsed<UserIdentifier, Entry>
        var inFlight: [UserIdentifier: Flight] = [:]

        /// The remembered answer for `id` if it has not expired at `now`; marks it recently used.
        mutating func freshResult(for id: UserIdentifier, at now: ContinuousClock.Instant) -> UserLookupResult? {
            guard let entry = self.entries.value(for: id), entry.expires > now else { return nil }
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

    /// The answer for `id`: remembered, shared with a call already under way, or from `load`.
    ///
    /// The first miss for a user calls `load` on its own thread, outside the lock; misses that
    /// arrive before it returns wait for its answer. Then the answer is remembered if it may be,
    /// and the call is no longer under way.
    public func lookUp(_ id: UserIdentifier, load: () -> UserLookupResult) -> (result: UserLookupResult, outcome: CacheOutcome) {
        enum Plan {
            case remembered(UserLookupResult)
            case join(Flight)
            case lead(Flight)
        }
        let now = self.now()
        let plan = self.state.withLock { state -> Plan in
            if let result = state.freshResult(for: id, at: now) {
                return .remembered(result)
            }
            if let flight = state.inFlight[id] {
                return .join(flight)
            }
            let flight = Flight()
            flight.done.enter()
            state.inFlight[id] = flight
            return .lead(flight)
        }
        switch plan {
        case .remembered(let result):
            return (result, .hit)
        case .join(let flight):
            flight.done.wait()
            return (flight.result!, .coalesced)
        case .lead(let flight):
            let result = load()
            let lifetime = self.lifetime(of: result)
            let finished = self.now()
            self.state.withLock { state in
                state.inFlight[id] = nil
                if let lifetime {
                    state.entries.set(Entry(result: result, expires: finished + lifetime), for: id)
                }
            }
            flight.result = result
            flight.done.leave()
            return (result, .miss)
        }
    }

    /// How long `result` may be remembered; nil for never.
    private func lifetime(of result: UserLookupResult) -> Duration? {
        switch result {
        case .found: self.settings.foundTTL > .zero ? self.settings.foundTTL : nil
        case .notFound: self.settings.notFoundTTL > .zero ? self.settings.notFoundTTL : nil
        case .failed: nil
        }
    }
}
