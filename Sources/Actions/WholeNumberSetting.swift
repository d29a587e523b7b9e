/// A whole-number setting: its name, its default and the values it may take, written once.
/// The settings reader, the actions file reader and the JSON Schema's test all read it here.
public struct WholeNumberSetting: Sendable {
    /// The environment variable.
    public let key: String
    public let defaultValue: Int
    public let range: ClosedRange<Int>

    public init(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) {
        self.key = key
        self.defaultValue = defaultValue
        self.range = range
    }
}

extension WholeNumberSetting {
    /// Every upstream's deadline, unless its `timeoutMs` says otherwise.
    public static let upstreamTimeoutMilliseconds = Self("UPSTREAM_TIMEOUT_MS", default: 5000, range: 1...60_000)
    /// Every upstream's largest answer, unless its `maxBodyBytes` says otherwise.
    public static let upstreamMaxBodyBytes = Self("UPSTREAM_MAX_BODY_BYTES", default: 1_048_576, range: 1...67_108_864)
    /// Failures that open an upstream's circuit (0: never), unless its `circuitBreaker` says.
    public static let breakerFailures = Self("UPSTREAM_BREAKER_FAILURES", default: 5, range: 0...1000)
    /// How long an open circuit stays open, unless its `circuitBreaker` says.
    public static let breakerCoolDownSeconds = Self("UPSTREAM_BREAKER_COOLDOWN_SECONDS", default: 10, range: 1...3600)
    /// How long a found record is remembered (0: not at all).
    public static let cacheTTLSeconds = Self("CACHE_TTL_SECONDS", default: 0, range: 0...86_400)
    /// How long a not-found answer is remembered (0: not at all).
    public static let cacheNotFoundTTLSeconds = Self("CACHE_NEGATIVE_TTL_SECONDS", default: 0, range: 0...86_400)
    /// The most answers one upstream's cache holds.
    public static let cacheMaxEntries = Self("CACHE_MAX_ENTRIES", default: 10_000, range: 1...10_000_000)
}
