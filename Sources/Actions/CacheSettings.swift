/// How long an upstream's answers are remembered; both durations zero means no cache (the
/// default).
public struct CacheSettings: Sendable, Equatable {
    /// How long a found record is answered from memory.
    public var foundTTL: Duration
    /// How long a record the upstream did not have is answered from memory.
    public var notFoundTTL: Duration
    /// The most answers remembered; past it the least recently used is forgotten.
    public var maxEntries: Int

    /// No cache: every call asks the upstream.
    public static let off = CacheSettings(foundTTL: .zero, notFoundTTL: .zero, maxEntries: WholeNumberSetting.cacheMaxEntries.defaultValue)

    public init(foundTTL: Duration, notFoundTTL: Duration, maxEntries: Int) {
        self.foundTTL = foundTTL
        self.notFoundTTL = notFoundTTL
        self.maxEntries = maxEntries
    }

    /// True when something is cached at all.
    public var isEnabled: Bool { self.foundTTL > .zero || self.notFoundTTL > .zero }
}
