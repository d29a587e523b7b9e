/// Everything the data action core needs to know, checked at startup.
public struct DataActionConfiguration: Sendable {
    /// The bearer secrets Genesys must present.
    public var secrets: SharedSecrets
    /// How the user directory is reached.
    public var upstream: UpstreamSettings
    /// The Genesys Cloud organization allowed to call, when set.
    public var organizationId: String?
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// Whether and how long directory answers are remembered.
    public var cache: CacheSettings
    /// When lookups stop calling a directory that does not answer.
    public var breaker: CircuitBreakerSettings

    /// Creates a configuration from checked values.
    public init(
        secrets: SharedSecrets,
        upstream: UpstreamSettings,
        organizationId: String?,
        maxBodyBytes: Int,
        cache: CacheSettings = .off,
        breaker: CircuitBreakerSettings = .off
    ) {
        self.secrets = secrets
        self.upstream = upstream
        self.organizationId = organizationId
        self.maxBodyBytes = maxBodyBytes
        self.cache = cache
        self.breaker = breaker
    }
}

/// How the user directory is reached.
public struct UpstreamSettings: Sendable {
    /// The directory's base URL, without a trailing slash; the user id is appended as one path
    /// segment.
    public var baseURL: String
    /// How long one lookup may take, connection included.
    public var timeoutMilliseconds: Int
    /// The `Authorization` header value sent upstream, when the directory needs one.
    public var authorization: String?
    /// The largest answer body read from the directory.
    public var maxBodyBytes: Int

    /// Creates the settings.
    public init(baseURL: String, timeoutMilliseconds: Int = 5000, authorization: String? = nil, maxBodyBytes: Int = 1_048_576) {
        self.baseURL = baseURL
        self.timeoutMilliseconds = timeoutMilliseconds
        self.authorization = authorization
        self.maxBodyBytes = maxBodyBytes
    }
}
