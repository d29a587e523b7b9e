import Foundation

extension DataActionConfiguration {
    /// Secrets copied from tutorials and templates: refused, because everyone knows them.
    static let placeholderSecrets: Set<String> = [
        "default_secret", "your_super_secret_key_change_this_in_production", "changeme", "change-me", "secret",
        "your-secret", "your_secret", "shared_secret",
    ]

    /// The shortest shared secret accepted.
    static let minimumSecretLength = 16

    /// Reads and checks the core's settings. Problems go to `settings.problems`; the result is
    /// nil when any was found.
    ///
    /// Keys:
    /// - `SHARED_SECRET` (required): the bearer token Genesys sends; at least 16 characters,
    ///   not a placeholder.
    /// - `SHARED_SECRET_PREVIOUS`: a second accepted token, for rotating the secret without
    ///   downtime.
    /// - `EXTERNAL_API_URL` (required): the user directory's base URL, absolute http or https,
    ///   without query or fragment.
    /// - `UPSTREAM_TIMEOUT_MS` (5000): the deadline of one lookup, 1–60000.
    /// - `UPSTREAM_AUTHORIZATION`: an `Authorization` header value sent to the directory.
    /// - `UPSTREAM_MAX_BODY_BYTES` (1048576): the largest directory answer read.
    /// - `GENESYS_ORG_ID`: when set, only requests whose `ININ-Organization-Id` equals it pass.
    /// - `MAX_BODY_BYTES` (65536): the largest request body accepted, 1–131072. The FastCGI
    ///   server lets libfcgi read a request only once all of it is in the socket (see its
    ///   `RequestStreamCheck`), and a unix socket holds about 200 KiB with Debian's defaults:
    ///   a larger limit would make larger requests wait out the stall timeout.
    /// - `CACHE_TTL_SECONDS` (0, off): how long a found user is answered from memory, 0–86400.
    /// - `CACHE_NEGATIVE_TTL_SECONDS` (0, off): the same for a user the directory answered 404
    ///   for, 0–86400. Failures are never cached.
    /// - `CACHE_MAX_ENTRIES` (10000): the most users remembered; the least recently used goes.
    /// - `UPSTREAM_BREAKER_FAILURES` (5): consecutive connect failures or timeouts after which
    ///   lookups answer 502/504 at once instead of calling the directory, 0–1000 (0: never).
    /// - `UPSTREAM_BREAKER_COOLDOWN_SECONDS` (10): how long an open circuit answers at once
    ///   before one lookup probes the directory again, 1–3600.
    public static func read(from settings: inout SettingsReader) -> DataActionConfiguration? {
        let problemsBefore = settings.problems.count
        let secret = settings.string("SHARED_SECRET")
        if let secret {
            Self.checkSecret(secret, key: "SHARED_SECRET", into: &settings)
        } else {
            settings.report("SHARED_SECRET is required: set it to a random value of at least 16 characters (e.g. openssl rand -hex 32)")
        }
        let previous = settings.string("SHARED_SECRET_PREVIOUS")
        if let previous {
            Self.checkSecret(previous, key: "SHARED_SECRET_PREVIOUS", into: &settings)
        }
        let baseURL = Self.checkedBaseURL(settings.string("EXTERNAL_API_URL"), into: &settings)
        let timeout = settings.integer("UPSTREAM_TIMEOUT_MS", default: 5000, range: 1...60_000)
        let authorization = settings.string("UPSTREAM_AUTHORIZATION")
        if let authorization, authorization.contains(where: { $0.isNewline || $0 == "\0" }) {
            settings.report("UPSTREAM_AUTHORIZATION must be one line")
        }
        let upstreamMaxBody = settings.integer("UPSTREAM_MAX_BODY_BYTES", default: 1_048_576, range: 1...67_108_864)
        let organizationId = settings.string("GENESYS_ORG_ID")
        if let organizationId, UUID(uuidString: organizationId) == nil {
            settings.report("GENESYS_ORG_ID must be a Genesys Cloud organization id (a UUID), not '\(organizationId)'")
        }
        let maxBody = settings.integer("MAX_BODY_BYTES", default: 65_536, range: 1...131_072)
        let breaker = CircuitBreakerSettings(
            failureThreshold: settings.integer("UPSTREAM_BREAKER_FAILURES", default: 5, range: 0...1000),
            coolDown: .seconds(settings.integer("UPSTREAM_BREAKER_COOLDOWN_SECONDS", default: 10, range: 1...3600))
        )
        let cache = CacheSettings(
            foundTTL: .seconds(settings.integer("CACHE_TTL_SECONDS", default: 0, range: 0...86_400)),
            notFoundTTL: .seconds(settings.integer("CACHE_NEGATIVE_TTL_SECONDS", default: 0, range: 0...86_400)),
            maxEntries: settings.integer("CACHE_MAX_ENTRIES", default: 10_000, range: 1...10_000_000)
        )

        guard settings.problems.count == problemsBefore, let secret, let baseURL else { return nil }
        return DataActionConfiguration(
            secrets: SharedSecrets(current: secret, previous: previous),
            upstream: UpstreamSettings(
                baseURL: baseURL,
                timeoutMilliseconds: timeout,
                authorization: authorization,
                maxBodyBytes: upstreamMaxBody
            ),
            organizationId: organizationId?.lowercased(),
            maxBodyBytes: maxBody,
            cache: cache,
            breaker: breaker
        )
    }

    private static func checkSecret(_ secret: String, key: String, into settings: inout SettingsReader) {
        if Self.placeholderSecrets.contains(secret.lowercased()) {
            settings.report("\(key) is a placeholder from an example; set a random value (e.g. openssl rand -hex 32)")
        } else if secret.count < Self.minimumSecretLength {
            settings.report("\(key) is shorter than \(Self.minimumSecretLength) characters; use a random value (e.g. openssl rand -hex 32)")
        } else if secret.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false }) {
            settings.report("\(key) must not contain spaces or control characters: Genesys sends it in an HTTP header")
        }
    }

    private static func checkedBaseURL(_ value: String?, into settings: inout SettingsReader) -> String? {
        guard let value else {
            settings.report("EXTERNAL_API_URL is required: the user directory's base URL, e.g. https://jsonplaceholder.typicode.com/users")
            return nil
        }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            settings.report("EXTERNAL_API_URL must be an absolute http or https URL, not '\(value)'")
            return nil
        }
        guard components.user == nil, components.password == nil else {
            settings.report("EXTERNAL_API_URL must not carry credentials; put them in UPSTREAM_AUTHORIZATION")
            return nil
        }
        guard components.query == nil, components.fragment == nil else {
            settings.report("EXTERNAL_API_URL must not have a query or fragment: the user id is appended as a path segment")
            return nil
        }
        var base = value
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
