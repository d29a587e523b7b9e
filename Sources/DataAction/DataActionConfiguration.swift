/// Everything the data action core needs to know, checked at startup.
public struct DataActionConfiguration: Sendable {
    /// The bearer secrets Genesys must present.
    public var secrets: SharedSecrets
    /// The Genesys Cloud organization allowed to call, when set.
    public var organizationId: String?
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// The actions served and the upstreams they call, as declared.
    public var actions: ActionsFile
    /// Each upstream as it is called, by name: its declaration with the settings' values in place.
    public var upstreams: [String: UpstreamSettings]

    /// Creates a configuration from checked values; every action's upstream is in `upstreams`.
    public init(
        secrets: SharedSecrets,
        organizationId: String?,
        maxBodyBytes: Int,
        actions: ActionsFile,
        upstreams: [UpstreamSettings]
    ) {
        self.secrets = secrets
        self.organizationId = organizationId
        self.maxBodyBytes = maxBodyBytes
        self.actions = actions
        self.upstreams = Dictionary(upstreams.map { ($0.name, $0) }) { first, _ in first }
    }
}

/// One upstream as it is called.
public struct UpstreamSettings: Sendable {
    /// Its name in the actions file, for the log.
    public var name: String
    /// The base URL, without a trailing slash; an action's path follows it.
    public var baseURL: String
    /// How long one call may take, connection and body included.
    public var timeoutMilliseconds: Int
    /// Headers sent with every call, as `Name: value` lines; values may be secrets.
    public var headers: [String]
    /// The largest answer body read from the upstream.
    public var maxBodyBytes: Int
    /// Which certificates are trusted and presented.
    public var tls: UpstreamTLS
    /// Which forward proxy calls go through.
    public var proxy: UpstreamProxy
    /// Whether and how long answers are remembered.
    public var cache: CacheSettings
    /// When calls stop going to an upstream that does not answer.
    public var breaker: CircuitBreakerSettings

    /// Creates the settings.
    public init(
        name: String = ActionsFile.builtInUpstreamName,
        baseURL: String,
        timeoutMilliseconds: Int = 5000,
        headers: [String] = [],
        maxBodyBytes: Int = 1_048_576,
        tls: UpstreamTLS = UpstreamTLS(),
        proxy: UpstreamProxy = UpstreamProxy(),
        cache: CacheSettings = .off,
        breaker: CircuitBreakerSettings = .off
    ) {
        self.name = name
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeoutMilliseconds = timeoutMilliseconds
        self.headers = headers
        self.maxBodyBytes = maxBodyBytes
        self.tls = tls
        self.proxy = proxy
        self.cache = cache
        self.breaker = breaker
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
