import FoundationEssentials
import JSON

/// The actions a service serves and the upstreams they call, as declared in an actions file
/// (`ACTIONS_FILE`) or, without one, the built-in user lookup.
public struct ActionsFile: Sendable {
    /// The upstreams, in the order declared.
    public var upstreams: [UpstreamDefinition]
    /// The actions, in the order declared.
    public var actions: [ActionDefinition]
    /// What the file may not mean (a body string that names an input but is sent as written),
    /// one line each with its place; `check-config` prints them.
    public var warnings: [String] = []

    public init(upstreams: [UpstreamDefinition], actions: [ActionDefinition]) {
        self.upstreams = upstreams
        self.actions = actions
    }

    /// The upstream named `name`.
    public func upstream(named name: String) -> UpstreamDefinition? {
        self.upstreams.first { $0.name == name }
    }

    /// The action named `name`.
    public func action(named name: String) -> ActionDefinition? {
        self.actions.first { $0.name == name }
    }
}

/// A value in the actions file: written there, or the name of a setting (environment or env
/// file) that holds it, for secrets.
public enum SettingValue: Sendable, Equatable {
    case literal(String)
    case setting(String)
}

/// An upstream's own TLS, as declared: each key left out falls back to the environment's.
public struct TLSDeclaration: Sendable, Equatable {
    /// A PEM bundle trusted instead of the system store.
    public var caFile: String?
    /// The client certificate and key presented for mutual TLS.
    public var clientCertificate: String?
    public var clientKey: String?
    /// False accepts any certificate for any name.
    public var verify: Bool?

    public init(caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil, verify: Bool? = nil) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.verify = verify
    }

    /// Whether it declares anything.
    public var isEmpty: Bool { self == TLSDeclaration() }
}

/// One upstream as declared: a REST API the actions call.
public struct UpstreamDefinition: Sendable {
    /// One header sent with every call.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: SettingValue

        public init(name: String, value: SettingValue) {
            self.name = name
            self.value = value
        }
    }

    /// The upstream's name in the actions file.
    public var name: String
    /// The base URL: absolute http or https, without query or fragment.
    public var url: SettingValue
    /// How long one call may take, connection and body included.
    public var timeoutMilliseconds: Int
    /// The largest answer body read.
    public var maxBodyBytes: Int
    /// Headers sent with every call, in order.
    public var headers: [Header]
    public var cache: CacheSettings
    public var breaker: CircuitBreakerSettings
    /// How calls authenticate, when the upstream wants more than a header.
    public var auth: UpstreamAuthDeclaration?
    /// Query parameters added to every call (`api_key`); a value from a setting is a secret.
    public var query: [(name: String, value: SettingValue)] = []
    /// The header Genesys' `ININ-Correlation-Id` is sent to the upstream under, when set.
    public var correlationHeader: String?
    /// This upstream's TLS; what it leaves out comes from `UPSTREAM_CA_FILE` and its kin.
    public var tls = TLSDeclaration()

    public init(
        name: String,
        url: SettingValue,
        timeoutMilliseconds: Int = WholeNumberSetting.upstreamTimeoutMilliseconds.defaultValue,
        maxBodyBytes: Int = WholeNumberSetting.upstreamMaxBodyBytes.defaultValue,
        headers: [Header] = [],
        cache: CacheSettings = .off,
        breaker: CircuitBreakerSettings = .off
    ) {
        self.name = name
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxBodyBytes = maxBodyBytes
        self.headers = headers
        self.cache = cache
        self.breaker = breaker
    }
}

extension ActionsFile {
    /// The upstream of the built-in action.
    public static let builtInUpstreamName = "users"

    /// The action served without an actions file: a user looked up by id with
    /// `GET {EXTERNAL_API_URL}/{userId}`, answering `userFound`, `userName`, `userEmail`
    /// and `userPhone` from the record's `name`, `email` and `phone`.
    public static func builtIn(upstream: UpstreamDefinition) -> ActionsFile {
        let names: Set = ["userId"]
        // The id must be one safe path segment: no '/', '?', '#' or control characters.
        let userId = ActionInput(
            name: "userId",
            type: .string,
            required: true,
            description: "The ID of the user to look up.",
            pattern: InputPattern(#"^[^/?#\u0000-\u001F\u007F-\u009F]+$"#)!,
            maxLength: 128
        )
        let action = ActionDefinition(
            name: "user-lookup",
            title: "Look up user",
            description: "The user with this ID in the upstream's user records.",
            inputs: [userId],
            request: ActionRequestTemplate(
                upstream: upstream.name,
                method: .get,
                path: try! URITemplate("/{userId}", names: names),
                body: nil
            ),
            result: ActionResultRule(notFoundStatuses: [404], record: .root),
            outputs: [
                ActionOutput(name: "userFound", source: .found, type: .boolean, description: "True when the user exists."),
                ActionOutput(name: "userName", source: .path(try! JSONPath("$.name")), type: .string, description: "The user's name."),
                ActionOutput(name: "userEmail", source: .path(try! JSONPath("$.email")), type: .string, description: "The user's email."),
                ActionOutput(name: "userPhone", source: .path(try! JSONPath("$.phone")), type: .string, description: "The user's phone."),
            ]
        )
        return ActionsFile(upstreams: [upstream], actions: [action])
    }
}

extension UpstreamDefinition {
    /// What is wrong with `value` as an upstream's base URL, as the end of a sentence that
    /// starts with its place; nil when it is usable.
    /// Headers the service owns on every request; a file cannot set them.
    public static let serviceOwnedHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    /// Whether a header's value is a secret: it is then written only as `{ env: NAME }`.
    public static func carriesSecret(_ header: String) -> Bool {
        let name = header.lowercased()
        return ["authorization", "proxy-authorization", "cookie"].contains(name)
            || ["key", "token", "secret"].contains { name.contains($0) }
    }

    /// What is wrong with `value` as a token endpoint, as the end of a sentence; nil when it is
    /// usable. Like a base URL, but a query is allowed (some identity providers put the tenant
    /// or the API version there).
    public static func problem(withTokenURL value: String) -> String? {
        var bare = value
        if let question = bare.firstIndex(of: "?") { bare = String(bare[..<question]) }
        return Self.problem(withBaseURL: bare)
    }

    /// A value with an `@` is never repeated: it may carry credentials, whatever else is wrong.
    public static func problem(withBaseURL value: String) -> String? {
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            let shown = value.contains("@") ? "(not shown: it may carry credentials)" : "'\(value)'"
            return "must be an absolute http or https URL, not \(shown)"
        }
        guard components.user == nil, components.password == nil else {
            return "must not carry credentials; send them in a header"
        }
        guard components.query == nil, components.fragment == nil else {
            return "must not have a query or fragment: the action's path follows it"
        }
        return nil
    }
}
