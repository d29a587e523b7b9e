import FoundationEssentials

/// What sends a request to an upstream and waits for its answer: the seam between an action
/// and the network. ``UpstreamClient`` is the real one.
public protocol UpstreamExchange: Sendable {
    /// Sends one request on the calling thread and waits for the whole answer; `headers`
    /// (`Name: value` lines) are this call's own, beside the upstream's. With the answer, how
    /// the call came by its OAuth2 token, for an upstream that uses one.
    func exchange(method: String, url: String, body: [UInt8]?, headers: [String]) -> (answer: UpstreamClient.Answer, token: TokenUse?)
}

/// How a call came by its OAuth2 bearer token, as the request's log line says it.
public enum TokenUse: String, Sendable {
    /// The token kept from an earlier call.
    case kept
    /// A token fetched for this call (or by another call it waited for).
    case fetched
    /// A new token after the upstream answered 401 to the one it had; the call was sent again.
    case refreshed
}

/// Calls the upstream over HTTP with libcurl, on the calling thread.
///
/// Each thread that calls has one libcurl handle of its own, reused, so a worker keeps its
/// connection to the upstream alive between calls and no call waits for another thread.
/// Redirects are not followed and a failed connect is not retried: the caller is on the phone,
/// and the contract answers 502 at once.
public final class UpstreamClient: UpstreamExchange {
    /// The options every call shares, set once on each thread's handle.
    private let profile: LibCurl.Profile
    /// The headers every call sends, and every call with a body.
    private let commonHeaders: [String]
    private let bodyHeaders: [String]
    private let getHeaders: Result<LibCurl.HeaderList, LibCurl.Refusal>
    private let postHeaders: Result<LibCurl.HeaderList, LibCurl.Refusal>
    /// The bearer tokens of an OAuth2 upstream.
    private let tokens: OAuth2TokenSource?
    /// `name=value&…`, form-encoded as a query is: the query parameters every call carries.
    private let query: String

    /// Creates the client; libcurl is initialised here, before any worker thread calls.
    /// `tokenRequests` learns the outcome of each OAuth2 token request.
    public init(settings: UpstreamSettings, tokenRequests: @escaping @Sendable (OAuth2TokenSource.Outcome) -> Void = { _ in }) {
        LibCurl.initialise()
        self.profile = Self.profile(settings)
        var declared = settings.headers
        switch settings.authentication {
        case .basic(let username, let password)?:
            declared.append("Authorization: Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
            self.tokens = nil
        case .oauth2(let credentials)?:
            self.tokens = OAuth2TokenSource(credentials: credentials, settings: settings, observe: tokenRequests)
        case nil:
            self.tokens = nil
        }
        // A header the upstream's settings declare wins over the service's default of it.
        let headers = Self.merged(["Accept: application/json", "User-Agent: \(settings.userAgent)"], declared)
        self.commonHeaders = headers
        // "Expect:" stops libcurl from waiting for a 100 Continue before a large body.
        self.bodyHeaders = Self.merged(["Content-Type: application/json"], headers) + ["Expect:"]
        self.getHeaders = Result { () throws(LibCurl.Refusal) in try LibCurl.HeaderList(headers) }
        self.postHeaders = Result { [bodyHeaders] () throws(LibCurl.Refusal) in try LibCurl.HeaderList(bodyHeaders) }
        self.query = settings.queryParameters.map { formEncoded($0.name) + "=" + formEncoded($0.value) }
            .joined(separator: "&")
    }

    /// `defaults` without the ones `lines` name, then `lines`.
    private static func merged(_ defaults: [String], _ lines: [String]) -> [String] {
        let named = Set(lines.map { $0.prefix { $0 != ":" }.lowercased() })
        return defaults.filter { !named.contains($0.prefix { $0 != ":" }.lowercased()) } + lines
    }

    private static func profile(_ settings: UpstreamSettings) -> LibCurl.Profile {
        LibCurl.Profile(
            timeoutMilliseconds: settings.timeoutMilliseconds,
            maxBodyBytes: settings.maxBodyBytes,
            tls: settings.tls,
            proxy: settings.proxy.proxy(for: settings.baseURL)?.url ?? ""
        )
    }

    /// What libcurl refuses of `settings` (an option it was not built with, a value out of its
    /// range), as the end of a sentence; nil when every worker's handle can be set up. Checked
    /// at startup, so a refusal stops the service instead of failing calls.
    public static func problem(with settings: UpstreamSettings) -> String? {
        LibCurl.initialise()
        do throws(LibCurl.Refusal) {
            try LibCurl.check(Self.profile(settings))
            return nil
        } catch {
            return error.description
        }
    }

    /// What the upstream said: its status and body (nil when over the limit), or why it said
    /// nothing usable.
    public enum Answer: Sendable, Equatable {
        case answered(status: Int, body: [UInt8]?)
        case failed(UpstreamFailure)
    }

    /// Sends one request as given and waits for the whole answer, within the settings'
    /// deadline: the common headers (and the JSON content type with a body), those of `headers`
    /// replacing the ones they name. An option libcurl refuses for this call, or a handle it
    /// cannot make, fails the call on this side (``UpstreamFailure/local(reason:)``); the next
    /// call tries again.
    private func transfer(method: String, url: String, body: [UInt8]?, headers: [String]) -> Answer {
        let outcome: LibCurl.Outcome
        do throws(LibCurl.Refusal) {
            let headerList =
                if !headers.isEmpty {
                    try LibCurl.HeaderList(Self.merged(body == nil ? self.commonHeaders : self.bodyHeaders, headers))
                } else {
                    try (body == nil ? self.getHeaders : self.postHeaders).get()
                }
            outcome = try LibCurl.perform(self.profile, method: method, url: url, headers: headerList, body: body)
        } catch {
            return .failed(.local(reason: error.description))
        }
        if outcome.bodyTooLarge && outcome.status > 0 {
            return .answered(status: outcome.status, body: nil)
        }
        if let failure = outcome.failure {
            return .failed(failure)
        }
        return .answered(status: outcome.status, body: outcome.body)
    }

    /// Sends one request to the upstream and waits for the whole answer: the common headers and
    /// `headers` (which replace the ones they name), the upstream's query parameters, and for an
    /// OAuth2 upstream its bearer token. A 401 to a token fetches a new one (once for every
    /// caller that met the same token) and sends the call once more; a second 401 is the
    /// upstream's answer.
    public func send(method: String = "GET", url: String, body: [UInt8]? = nil, headers: [String] = []) -> Answer {
        self.exchange(method: method, url: url, body: body, headers: headers).answer
    }

    /// ``send(method:url:body:headers:)``, saying how the call came by its token.
    public func exchange(method: String, url: String, body: [UInt8]?, headers: [String]) -> (answer: Answer, token: TokenUse?) {
        var url = url
        if !self.query.isEmpty {
            url += url.contains("?") ? "&" : "?"
            url += self.query
        }
        guard let tokens else {
            return (self.transfer(method: method, url: url, body: body, headers: headers), nil)
        }
        var stale: String?
        var use = TokenUse.kept
        for _ in 0..<2 {
            let (issued, fetched) = tokens.token(replacing: stale)
            if stale != nil {
                use = .refreshed
            } else if fetched {
                use = .fetched
            }
            let token: String
            switch issued {
            case .success(let value): token = value
            case .failure(let failure): return (.failed(failure), use)
            }
            let answer = self.transfer(method: method, url: url, body: body, headers: headers + ["Authorization: Bearer \(token)"])
            guard case .answered(401, _) = answer, stale == nil else { return (answer, use) }
            stale = token
        }
        preconditionFailure("the loop returns on its second pass")
    }
}
