/// How one upstream is called over HTTP.
public struct UpstreamSettings: Sendable {
    /// Its name, for the log.
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
    /// Sent as `User-Agent`.
    public var userAgent: String
    /// How calls authenticate beyond the headers: Basic, or an OAuth2 bearer token.
    public var authentication: UpstreamAuthentication?
    /// Query parameters every call carries (an API key); values may be secrets.
    public var queryParameters: [(name: String, value: String)]

    /// Creates the settings.
    public init(
        name: String,
        baseURL: String,
        timeoutMilliseconds: Int,
        headers: [String] = [],
        maxBodyBytes: Int,
        tls: UpstreamTLS = UpstreamTLS(),
        proxy: UpstreamProxy = UpstreamProxy(),
        userAgent: String = "data-action",
        authentication: UpstreamAuthentication? = nil,
        queryParameters: [(name: String, value: String)] = []
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
        self.userAgent = userAgent
        self.authentication = authentication
        self.queryParameters = queryParameters
    }
}

/// How an upstream's calls authenticate, secrets read.
public enum UpstreamAuthentication: Sendable {
    /// HTTP Basic (RFC 7617).
    case basic(username: String, password: String)
    /// A bearer token from an OAuth2 client-credentials grant.
    case oauth2(OAuth2TokenSource.Credentials)
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
