import Actions
import FoundationEssentials
import UpstreamHTTP

extension DataActionConfiguration {
    /// Secrets copied from tutorials and templates: refused, because everyone knows them.
    static let placeholderSecrets: Set<String> = [
        "default_secret", "your_super_secret_key_change_this_in_production", "changeme", "change-me", "secret",
        "your-secret", "your_secret", "shared_secret",
    ]

    /// The shortest shared secret accepted.
    static let minimumSecretLength = 16

    /// Reads and checks the core's settings and the actions. Problems go to
    /// `settings.problems`; the result is nil when any was found.
    ///
    /// Keys:
    /// - `SHARED_SECRET` (required): the bearer token Genesys sends; at least 16 characters,
    ///   not a placeholder.
    /// - `SHARED_SECRET_PREVIOUS`: a second accepted token, for rotating the secret without
    ///   downtime.
    /// - `ACTIONS_FILE` (or `actionsFile`, from `--actions`): the actions file; without one the
    ///   service serves the built-in user lookup, from:
    ///   - `EXTERNAL_API_URL` (required then): the user records' base URL, absolute http or
    ///     https, without query or fragment;
    ///   - `UPSTREAM_AUTHORIZATION`: an `Authorization` header value sent with every call;
    ///   - `CACHE_TTL_SECONDS`, `CACHE_NEGATIVE_TTL_SECONDS` (0, off; 0–86400) and
    ///     `CACHE_MAX_ENTRIES` (10000): how long found and not-found answers are remembered.
    /// - `UPSTREAM_TIMEOUT_MS` (5000, 1–60000), `UPSTREAM_MAX_BODY_BYTES` (1048576),
    ///   `UPSTREAM_BREAKER_FAILURES` (5, 0–1000; 0: never) and
    ///   `UPSTREAM_BREAKER_COOLDOWN_SECONDS` (10, 1–3600): every upstream's deadline, largest
    ///   answer and circuit breaker, unless the actions file says otherwise for it.
    /// - `GENESYS_ORG_ID`: when set, only requests whose `ININ-Organization-Id` equals it pass.
    /// - `MAX_BODY_BYTES` (65536): the largest request body accepted, 1–131072. The FastCGI
    ///   server lets libfcgi read a request only once all of it is in the socket (see its
    ///   `RequestStreamCheck`), and a unix socket holds about 200 KiB with Debian's defaults:
    ///   a larger limit would make larger requests wait out the stall timeout.
    /// - `UPSTREAM_CA_FILE`, `UPSTREAM_CLIENT_CERT_FILE`, `UPSTREAM_CLIENT_KEY_FILE`,
    ///   `UPSTREAM_TLS_VERIFY`: see ``UpstreamTLS/read(from:baseURLs:)``.
    /// - `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`: see ``UpstreamProxy/read(from:asCGI:)``;
    ///   `asCGI` says that the environment holds a CGI request.
    public static func read(from settings: inout SettingsReader, asCGI: Bool, actionsFile: String? = nil) -> DataActionConfiguration? {
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
        let organizationId = settings.string("GENESYS_ORG_ID")
        if let organizationId, UUID(uuidString: organizationId) == nil {
            settings.report("GENESYS_ORG_ID must be a Genesys Cloud organization id (a UUID), not '\(organizationId)'")
        }
        let maxBody = settings.integer(.requestMaxBodyBytes)
        let actions = Self.readActions(from: &settings, actionsFile: actionsFile)
        let upstreams = actions.map { Self.resolve($0.upstreams, into: &settings) } ?? []
        let tls = UpstreamTLS.read(from: &settings, baseURLs: upstreams.map(\.baseURL))
        let proxy = UpstreamProxy.read(from: &settings, asCGI: asCGI)

        let called = upstreams.map {
            var upstream = $0
            upstream.tls = tls.overlaid(
                with: actions?.upstream(named: upstream.name)?.tls ?? TLSDeclaration(),
                upstream: upstream.name,
                into: &settings
            )
            upstream.proxy = proxy
            return upstream
        }
        if settings.problems.count == problemsBefore {
            for upstream in called {
                if let problem = UpstreamClient.problem(with: upstream) {
                    settings.report("upstreams.\(upstream.name): \(problem)")
                }
            }
        }
        guard settings.problems.count == problemsBefore, let secret, let actions else { return nil }
        return DataActionConfiguration(
            secrets: SharedSecrets(current: secret, previous: previous),
            organizationId: organizationId?.lowercased(),
            maxBodyBytes: maxBody,
            actions: actions,
            upstreams: called
        )
    }

    /// Reads and checks the actions as declared, without the settings they name (secrets):
    /// for `serve`, and for `export` and `actions show`, which need no secret. Problems go to
    /// `settings.problems`.
    public static func readActions(from settings: inout SettingsReader, actionsFile: String? = nil) -> ActionsFile? {
        let defaults = ActionsFile.Defaults(
            timeoutMilliseconds: settings.integer(.upstreamTimeoutMilliseconds),
            maxBodyBytes: settings.integer(.upstreamMaxBodyBytes),
            breaker: CircuitBreakerSettings(
                failureThreshold: settings.integer(.breakerFailures),
                coolDown: .seconds(settings.integer(.breakerCoolDownSeconds))
            )
        )
        if let path = actionsFile ?? settings.string("ACTIONS_FILE") {
            return Self.readActionsFile(path, defaults: defaults, into: &settings)
        }
        return Self.readBuiltIn(defaults: defaults, into: &settings)
    }

    private static func readActionsFile(_ path: String, defaults: ActionsFile.Defaults, into settings: inout SettingsReader) -> ActionsFile? {
        guard let contents = FileManager.default.contents(atPath: path) else {
            settings.report("ACTIONS_FILE: cannot read \(path); check the path and that the service's user may read it")
            return nil
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            settings.report("\(path): not UTF-8 text")
            return nil
        }
        let (file, problems) = ActionsFile.parse(yaml: text, source: path, defaults: defaults)
        for problem in problems { settings.report(problem) }
        return file
    }

    /// The built-in user lookup's upstream, from the environment.
    private static func readBuiltIn(defaults: ActionsFile.Defaults, into settings: inout SettingsReader) -> ActionsFile? {
        let authorization = settings.string("UPSTREAM_AUTHORIZATION")
        let cache = CacheSettings(
            foundTTL: .seconds(settings.integer(.cacheTTLSeconds)),
            notFoundTTL: .seconds(settings.integer(.cacheNotFoundTTLSeconds)),
            maxEntries: settings.integer(.cacheMaxEntries)
        )
        let upstream = UpstreamDefinition(
            name: ActionsFile.builtInUpstreamName,
            url: .setting("EXTERNAL_API_URL"),
            timeoutMilliseconds: defaults.timeoutMilliseconds,
            maxBodyBytes: defaults.maxBodyBytes,
            headers: authorization == nil ? [] : [.init(name: "Authorization", value: .setting("UPSTREAM_AUTHORIZATION"))],
            cache: cache,
            breaker: defaults.breaker
        )
        return ActionsFile.builtIn(upstream: upstream)
    }

    /// The upstreams with the settings they name read; secrets stay out of every listing.
    private static func resolve(_ definitions: [UpstreamDefinition], into settings: inout SettingsReader) -> [UpstreamSettings] {
        definitions.compactMap { definition in
            let place = "upstreams.\(definition.name)"
            var baseURL: String?
            switch definition.url {
            case .literal(let text):
                baseURL = text
            case .setting(let key):
                // Listed with any credentials redacted: a URL carrying them is refused, not shown.
                baseURL = settings.string(key, shownAs: UpstreamProxy.redacted)
                if let url = baseURL, let problem = UpstreamDefinition.problem(withBaseURL: url) {
                    settings.report(key == "EXTERNAL_API_URL" ? "\(key) \(problem)" : "\(key) (\(place).url) \(problem)")
                    baseURL = nil
                } else if baseURL == nil {
                    settings.report(
                        key == "EXTERNAL_API_URL"
                            ? "\(key) is required without ACTIONS_FILE: the user records' base URL, e.g. https://jsonplaceholder.typicode.com/users"
                            : "\(key) is not set, in the environment or the env file; \(place).url needs it"
                    )
                }
            }
            var headers: [String] = []
            for header in definition.headers {
                switch header.value {
                case .literal(let text):
                    headers.append("\(header.name): \(text)")
                case .setting(let key):
                    guard let value = settings.secret(key) else {
                        settings.report("\(key) is not set, in the environment or the env file; \(place).headers.\(header.name) needs it")
                        continue
                    }
                    guard !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
                        settings.report("\(key) must be one line: it is sent as the header \(header.name)")
                        continue
                    }
                    headers.append("\(header.name): \(value)")
                }
            }
            let authentication = definition.auth.flatMap { Self.resolve($0, place: "\(place).auth", into: &settings) }
            var query: [(name: String, value: String)] = []
            for parameter in definition.query {
                switch parameter.value {
                case .literal(let text):
                    query.append((parameter.name, text))
                case .setting(let key):
                    // A query value from a setting is a secret (an API key): listed redacted.
                    guard let value = settings.secret(key) else {
                        settings.report("\(key) is not set, in the environment or the env file; \(place).query.\(parameter.name) needs it")
                        continue
                    }
                    query.append((parameter.name, value))
                }
            }
            guard let baseURL, definition.auth == nil || authentication != nil else { return nil }
            return UpstreamSettings(
                name: definition.name,
                baseURL: baseURL,
                timeoutMilliseconds: definition.timeoutMilliseconds,
                headers: headers,
                maxBodyBytes: definition.maxBodyBytes,
                userAgent: DataActionVersion.userAgent,
                authentication: authentication,
                queryParameters: query
            )
        }
    }

    /// An upstream's authentication with the settings it names read; nil, with the problems
    /// reported, when one is missing.
    private static func resolve(
        _ declaration: UpstreamAuthDeclaration,
        place: String,
        into settings: inout SettingsReader
    ) -> UpstreamAuthentication? {
        func value(_ setting: SettingValue, _ key: String, secret: Bool) -> String? {
            switch setting {
            case .literal(let text):
                return text
            case .setting(let name):
                let read = secret ? settings.secret(name) : settings.string(name, shownAs: UpstreamProxy.redacted)
                if read == nil { settings.report("\(name) is not set, in the environment or the env file; \(place).\(key) needs it") }
                return read
            }
        }
        switch declaration {
        case .basic(let username, let password):
            let user = value(username, "basic.username", secret: true)
            let pass = value(password, "basic.password", secret: true)
            if let user, user.contains(":") {
                settings.report("\(place).basic.username must not contain ':' (RFC 7617)")
                return nil
            }
            guard let user, let pass else { return nil }
            return .basic(username: user, password: pass)
        case .oauth2(let oauth):
            let tokenURL = value(oauth.tokenURL, "oauth2.tokenUrl", secret: false)
            if case .setting(let name) = oauth.tokenURL, let url = tokenURL, let problem = UpstreamDefinition.problem(withTokenURL: url) {
                settings.report("\(name) (\(place).oauth2.tokenUrl) \(problem)")
                return nil
            }
            let clientId = value(oauth.clientId, "oauth2.clientId", secret: false)
            let clientSecret = value(oauth.clientSecret, "oauth2.clientSecret", secret: true)
            guard let tokenURL, let clientId, let clientSecret else { return nil }
            return .oauth2(
                OAuth2TokenSource.Credentials(
                    tokenURL: tokenURL,
                    clientId: clientId,
                    clientSecret: clientSecret,
                    scope: oauth.scope,
                    parameters: oauth.parameters,
                    clientAuthentication: oauth.clientAuthentication == .basic ? .basic : .body
                )
            )
        }
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
}

extension UpstreamTLS {
    /// Reads and checks the TLS settings; problems go to `settings.problems`.
    ///
    /// - `UPSTREAM_CA_FILE`: a PEM bundle of the certificates trusted for the upstream, instead
    ///   of the system store (a company CA).
    /// - `UPSTREAM_CLIENT_CERT_FILE` and `UPSTREAM_CLIENT_KEY_FILE`: a PEM certificate and its
    ///   key, presented to an upstream that asks for one (mutual TLS); both or neither.
    /// - `UPSTREAM_TLS_VERIFY` (true): false accepts any certificate for any name; the service
    ///   then logs a warning at every start.
    static func read(from settings: inout SettingsReader, baseURLs: [String]) -> UpstreamTLS {
        let caFile = settings.string("UPSTREAM_CA_FILE")
        let certificate = settings.string("UPSTREAM_CLIENT_CERT_FILE")
        let key = settings.string("UPSTREAM_CLIENT_KEY_FILE")
        let verify = settings.boolean("UPSTREAM_TLS_VERIFY", default: true)
        Self.checkPEM(caFile, key: "UPSTREAM_CA_FILE", holds: "CERTIFICATE", into: &settings)
        Self.checkPEM(certificate, key: "UPSTREAM_CLIENT_CERT_FILE", holds: "CERTIFICATE", into: &settings)
        Self.checkPEM(key, key: "UPSTREAM_CLIENT_KEY_FILE", holds: "PRIVATE KEY", into: &settings)
        if (certificate == nil) != (key == nil) {
            settings.report("UPSTREAM_CLIENT_CERT_FILE and UPSTREAM_CLIENT_KEY_FILE go together: set both or neither")
        }
        let configured = caFile != nil || certificate != nil || key != nil || !verify
        if configured, !baseURLs.isEmpty, !baseURLs.contains(where: { $0.lowercased().hasPrefix("https://") }) {
            settings.report(
                "UPSTREAM_CA_FILE, UPSTREAM_CLIENT_CERT_FILE, UPSTREAM_CLIENT_KEY_FILE and UPSTREAM_TLS_VERIFY apply to https only, but no upstream is https"
            )
        }
        return UpstreamTLS(caFile: caFile, clientCertificateFile: certificate, clientKeyFile: key, verify: verify)
    }

    /// This TLS with what an upstream declares in place of it; the upstream's files are checked
    /// like the environment's, each problem naming its place.
    func overlaid(with declared: TLSDeclaration, upstream: String, into settings: inout SettingsReader) -> UpstreamTLS {
        let place = "upstreams.\(upstream).tls"
        Self.checkPEM(declared.caFile, key: "\(place).caFile", holds: "CERTIFICATE", into: &settings)
        Self.checkPEM(declared.clientCertificate, key: "\(place).clientCertificate", holds: "CERTIFICATE", into: &settings)
        Self.checkPEM(declared.clientKey, key: "\(place).clientKey", holds: "PRIVATE KEY", into: &settings)
        var tls = self
        tls.caFile = declared.caFile ?? tls.caFile
        if let certificate = declared.clientCertificate, let key = declared.clientKey {
            tls.clientCertificateFile = certificate
            tls.clientKeyFile = key
        }
        tls.verify = declared.verify ?? tls.verify
        return tls
    }

    /// Reports a file that cannot be read or holds no PEM block of the kind expected.
    private static func checkPEM(_ path: String?, key: String, holds kind: String, into settings: inout SettingsReader) {
        guard let path else { return }
        guard let contents = FileManager.default.contents(atPath: path) else {
            settings.report("\(key): cannot read \(path); check the path and that the service's user may read it")
            return
        }
        let text = String(decoding: contents, as: UTF8.self)
        guard text.contains("-----BEGIN ") && text.contains("\(kind)-----") else {
            settings.report("\(key): \(path) holds no PEM \(kind.lowercased()) (-----BEGIN …\(kind)-----)")
            return
        }
    }
}

extension UpstreamProxy {
    /// Reads and checks the proxy settings as curl does; problems go to `settings.problems`.
    ///
    /// - `HTTPS_PROXY` (or `https_proxy`): the proxy for https upstreams, e.g.
    ///   `http://proxy.internal:3128`; https calls go through it with `CONNECT`.
    /// - `HTTP_PROXY` (or `http_proxy`): the proxy for http upstreams. Not read `asCGI`, where
    ///   `HTTP_PROXY` is the caller's `Proxy:` header ("httpoxy").
    /// - `NO_PROXY` (or `no_proxy`): hosts, domains, IP addresses and IPv4 CIDR blocks reached
    ///   directly, comma-separated; `*` for all.
    ///
    /// The upper-case names are read from the environment and the env file; the lower-case
    /// ones from the environment, when the upper-case one is not set.
    public static func read(from settings: inout SettingsReader, asCGI: Bool) -> UpstreamProxy {
        let https = Self.readProxy("HTTPS_PROXY", from: &settings)
        let http = asCGI ? Self.lowerCase("HTTP_PROXY") : Self.readProxy("HTTP_PROXY", from: &settings)
        let noProxy = settings.string("NO_PROXY") ?? ProcessInfo.processInfo.environment["no_proxy"].flatMap { $0.isEmpty ? nil : $0 }
        for choice in [https, http].compactMap({ $0 }) where !choice.isProxyURL {
            settings.report("\(choice.setting) must be a proxy URL such as http://proxy.example.com:3128, not '\(choice.shown)'")
        }
        return UpstreamProxy(https: https, http: http, noProxy: noProxy)
    }

    private static func readProxy(_ key: String, from settings: inout SettingsReader) -> Choice? {
        if let value = settings.string(key, shownAs: Self.redacted) {
            return Choice(url: value, setting: key)
        }
        return Self.lowerCase(key)
    }

    private static func lowerCase(_ key: String) -> Choice? {
        guard let value = ProcessInfo.processInfo.environment[key.lowercased()], !value.isEmpty else { return nil }
        return Choice(url: value, setting: key.lowercased())
    }

    /// What `check-config` says of the proxy a call to `url` goes through.
    public func describe(for url: String) -> String {
        if let choice = self.proxy(for: url) {
            return "\(choice.shown) (from \(choice.setting))"
        }
        let https = url.lowercased().hasPrefix("https://")
        if (https ? self.https : self.http) != nil {
            return "none (the host is in NO_PROXY)"
        }
        return "none"
    }
}
