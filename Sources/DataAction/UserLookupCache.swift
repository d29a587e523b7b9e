import NIOConcurrencyHelpers
import NIOCore

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

/// What the cache can say about a lookup.
public enum CacheAnswer: Sendable {
    /// It remembers the answer.
    case remembered(UserLookupResult)
    /// The answer is on its way: from this request's directory call (`miss`) or another's
    /// (`coalesced`).
    case pending(EventLoopFuture<UserLookupResult>, CacheOutcome)
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

    private struct State: Sendable {
        var entries: LeastRecentlyUsed<UserIdentifier, Entry>
        var inFlight: [UserIdentifier: EventLoopFuture<UserLookupResult>] = [:]

        /// The remembered answer for `id` if it has not expired at `now`; marks it recently used.
        mutating func freshResult(for id: UserIdentifier, at now: ContinuousClock.Instant) -> UserLookupResult? {
            guard let entry = self.entries.value(for: id), entry.expires > now else { return nil }
            return entry.result
        }
    }

    private let settings: CacheSettings
    private let now: @Sendable () -> ContinuousClock.Instant
    /// A plain pthread mutex: every worker takes it on every lookup, and Synchronization's
    /// `Mutex` (spinning, then a priority-inheritance futex) was a measured fifth of the
    /// service's CPU on cache hits under load.
    private let state: NIOLockedValueBox<State>

    /// Creates an empty cache; `now` is the clock expiry is measured on (tests move it).
    public init(settings: CacheSettings, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.settings = settings
        self.now = now
        self.state = NIOLockedValueBox(State(entries: LeastRecentlyUsed(capacity: settings.maxEntries)))
    }

    /// The remembered answer for `id`, if it has not expired; never waits.
    public func remembered(_ id: UserIdentifier) -> UserLookupResult? {
        let now = self.now()
        return self.state.withLockedValue { state in state.freshResult(for: id, at: now) }
    }

    /// The answer for `id`: remembered, shared with a call already under way, or from `load`.
    ///
    /// The first miss for a user calls `load` and records its future; misses that arrive
    /// before it completes get the same future. When it completes (on its event loop) the
    /// answer is remembered if it may be, and the call is no longer under way.
    public func lookUp(_ id: UserIdentifier, load: () -> EventLoopFuture<UserLookupResult>) -> CacheAnswer {
        enum Plan {
            case remembered(UserLookupResult)
            case join(EventLoopFuture<UserLookupResult>)
            case lead(EventLoopFuture<UserLookupResult>)
        }
        let now = self.now()
        // `load` only starts the call (it hands a request to the HTTP client) and runs under
        // the lock, so two misses for one user cannot both become the leader.
        let plan = self.state.withLockedValue { state -> Plan in
            if let result = state.freshResult(for: id, at: now) {
                return .remembered(result)
            }
            if let call = state.inFlight[id] {
                return .join(call)
            }
            let call = load()
            state.inFlight[id] = call
            return .lead(call)
        }
        let call: EventLoopFuture<UserLookupResult>
        switch plan {
        case .remembered(let result):
            return .remembered(result)
        case .join(let joined):
            return .pending(joined, .coalesced)
        case .lead(let led):
            call = led
        }
        // Registered outside the lock: a call that already completed runs this at once.
        call.whenSuccess { result in
            let lifetime = self.lifetime(of: result)
            let finished = self.now()
            self.state.withLockedValue { state in
                state.inFlight[id] = nil
                if let lifetime {
                    state.entries.set(Entry(result: result, expires: finished + lifetime), for: id)
                }
            }
        }
        return .pending(call, .miss)
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
