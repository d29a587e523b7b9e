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

/// How the upstream is reached.
public struct UpstreamSettings: Sendable {
    /// The upstream's base URL, without a trailing slash; the user id is appended as one path
    /// segment.
    public var baseURL: String
    /// How long one call may take, connection and body included.
    public var timeoutMilliseconds: Int
    /// The `Authorization` header value sent upstream, when the upstream needs one.
    public var authorization: String?
    /// The largest answer body read from the upstream.
    public var maxBodyBytes: Int
    /// Which certificates are trusted and presented.
    public var tls: UpstreamTLS
    /// Which forward proxy calls go through.
    public var proxy: UpstreamProxy

    /// Creates the settings.
    public init(
        baseURL: String,
        timeoutMilliseconds: Int = 5000,
        authorization: String? = nil,
        maxBodyBytes: Int = 1_048_576,
        tls: UpstreamTLS = UpstreamTLS(),
        proxy: UpstreamProxy = UpstreamProxy()
    ) {
        self.baseURL = baseURL
        self.timeoutMilliseconds = timeoutMilliseconds
        self.authorization = authorization
        self.maxBodyBytes = maxBodyBytes
        self.tls = tls
        self.proxy = proxy
    }
}

/// The TLS side of upstream calls: the system's OpenSSL and CA store unless told otherwise.
public struct UpstreamTLS: Sendable, Equatable {
    /// A PEM bundle trusted instead of the system store (`UPSTREAM_CA_FILE`).
    public var caFile: String?
    /// The client certificate presented for mutual TLS (`UPSTREAM_CLIENT_CERT_FILE`).
    public var clientCertificateFile: String?
    /// Its private key (`UPSTREAM_CLIENT_KEY_FILE`).
    public var clientKeyFile: String?
    /// False only when `UPSTREAM_TLS_VERIFY=false`, which is logged at every start.
    public var verify: Bool

    /// Creates the settings.
    public init(caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil, verify: Bool = true) {
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.verify = verify
    }
}
