import Actions
import UpstreamHTTP

extension WholeNumberSetting {
    /// The largest request body accepted: a unix socket holds about 200 KiB with Debian's
    /// defaults, and the FastCGI server reads a request only once all of it is there.
    public static let requestMaxBodyBytes = Self("MAX_BODY_BYTES", default: 65_536, range: 1...131_072)
}

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
